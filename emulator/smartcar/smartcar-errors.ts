// Smartcar API v2 errors: {type, code, description, docURL, statusCode, requestId, resolution}, with a
// retry-after header on rate limits.
import type { FastifyReply } from 'fastify';
import type { Fault } from '../server/faults.ts';

type Resolution = 'RETRY_LATER' | 'REAUTHENTICATE' | 'CONTACT_SUPPORT' | null;

interface Shape {
  type: string;
  code: string | null;
  description: string;
  resolution: Resolution;
  /** Smartcar answers some statuses with another (an asleep car is 409, never 408). */
  status?: number;
}

const SHAPES: Record<number, Shape> = {
  400: { type: 'VALIDATION', code: null, description: 'Request invalid or malformed. Please check for missing parameters, spelling and casing mistakes, and other syntax issues.', resolution: null },
  401: { type: 'AUTHENTICATION', code: null, description: 'The authorization header is missing or malformed, or it contains invalid or expired authentication credentials. Please check for missing parameters, spelling and casing mistakes, and other syntax issues.', resolution: 'REAUTHENTICATE' },
  403: { type: 'PERMISSION', code: null, description: 'Your application has insufficient permissions to access the requested resource. Please prompt the user to re-authenticate using Smartcar Connect.', resolution: 'REAUTHENTICATE' },
  404: { type: 'RESOURCE_NOT_FOUND', code: 'PATH', description: 'The requested resource does not exist. Please check the URL and try again.', resolution: null },
  408: { type: 'VEHICLE_STATE', code: 'ASLEEP', description: 'The vehicle is in a sleep state and temporarily unable to perform your request.', resolution: 'RETRY_LATER', status: 409 },
  409: { type: 'VEHICLE_STATE', code: 'ASLEEP', description: 'The vehicle is in a sleep state and temporarily unable to perform your request.', resolution: 'RETRY_LATER' },
  421: { type: 'SERVER', code: 'INTERNAL', description: 'Misdirected request.', resolution: 'RETRY_LATER' },
  429: { type: 'RATE_LIMIT', code: 'VEHICLE', description: 'You have reached the throttling rate limit for this vehicle. Please see the retry-after header (seconds) for when to retry the request.', resolution: 'RETRY_LATER' },
  500: { type: 'SERVER', code: 'INTERNAL', description: 'An internal Smartcar error has occurred. Our team has been notified and is working to resolve this issue.', resolution: 'RETRY_LATER' },
  501: { type: 'COMPATIBILITY', code: 'VEHICLE_NOT_CAPABLE', description: 'The vehicle is incapable of performing your request.', resolution: null },
  502: { type: 'UPSTREAM', code: 'UNKNOWN_ISSUE', description: 'An unexpected error occurred while communicating with the vehicle manufacturer.', resolution: 'RETRY_LATER' },
  503: { type: 'UPSTREAM', code: 'RATE_LIMIT', description: 'The vehicle manufacturer is temporarily unavailable.', resolution: 'RETRY_LATER' },
  504: { type: 'UPSTREAM', code: 'NO_RESPONSE', description: 'The vehicle did not respond in time.', resolution: 'RETRY_LATER' },
};

export interface SmartcarErrorOptions {
  type?: string;
  code?: string | null;
  description?: string;
  retryAfterS?: number;
  body?: unknown;
}

/** The status Smartcar actually answers for a requested one, and the body. */
export function smartcarErrorBody(status: number, requestId: string, options: SmartcarErrorOptions = {}): { status: number; body: unknown } {
  const shape = SHAPES[status] ?? SHAPES[500]!;
  const answered = shape.status ?? status;
  const type = options.type ?? shape.type;
  const code = options.code !== undefined ? options.code : shape.code;
  return {
    status: answered,
    body: options.body ?? {
      type,
      code,
      description: options.description ?? shape.description,
      docURL: `https://smartcar.com/docs/errors/api-errors/${type.toLowerCase().replace(/_/g, '-')}-errors${code ? `#${code.toLowerCase().replace(/_/g, '-')}` : ''}`,
      statusCode: answered,
      requestId,
      resolution: { type: shape.resolution },
    },
  };
}

export function smartcarError(reply: FastifyReply, status: number, options: SmartcarErrorOptions = {}): FastifyReply {
  const requestId = String(reply.getHeader('sc-request-id') ?? '');
  const { status: answered, body } = smartcarErrorBody(status, requestId, options);
  if (answered === 429) void reply.header('retry-after', String(options.retryAfterS ?? 30));
  else if (options.retryAfterS !== undefined) void reply.header('retry-after', String(options.retryAfterS));
  return reply.status(answered).type('application/json').send(body);
}

export function smartcarFault(reply: FastifyReply, status: number, fault: Fault): FastifyReply {
  return smartcarError(reply, status, { ...(fault.retryAfterS !== undefined ? { retryAfterS: fault.retryAfterS } : {}), ...(fault.body !== undefined ? { body: fault.body } : {}) });
}

export function smartcarRateLimited(reply: FastifyReply, retryAfterS: number): FastifyReply {
  return smartcarError(reply, 429, { retryAfterS });
}
