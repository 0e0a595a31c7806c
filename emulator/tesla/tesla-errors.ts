// Tesla Fleet API error answers: `{response: null, error, error_description}` with Tesla's status codes
// (408 for a sleeping or offline car, 421 for the wrong regional host, 429 with Retry-After).
import type { FastifyReply } from 'fastify';
import type { Fault } from '../server/faults.ts';

const DEFAULTS: Record<number, [string, string]> = {
  400: ['invalid_request', 'The request is not valid'],
  401: ['invalid_token', 'The OAuth token is invalid'],
  403: ['Unauthorized missing scopes', ''],
  404: ['not_found', 'The requested resource does not exist'],
  408: ['vehicle unavailable: vehicle is offline or asleep', ''],
  409: ['vehicle unavailable: vehicle is offline or asleep', ''],
  421: ['user out of region', 'Use the base URL returned by GET /api/1/users/region'],
  429: ['Account or server is rate limited', 'Check the Retry-After header for when to make the next request'],
  500: ['internal_error', 'An internal error occurred'],
  501: ['not_implemented', ''],
  502: ['bad gateway', ''],
  503: ['service unavailable', 'Fleet API is temporarily unavailable'],
  504: ['gateway timeout', 'The vehicle did not respond in time'],
};

export interface TeslaErrorOptions {
  error?: string;
  description?: string;
  retryAfterS?: number;
  body?: unknown;
}

export function teslaError(reply: FastifyReply, status: number, options: TeslaErrorOptions = {}): FastifyReply {
  const [error, description] = DEFAULTS[status] ?? ['error', ''];
  if (status === 429 || (status === 503 && options.retryAfterS !== undefined)) void reply.header('retry-after', String(options.retryAfterS ?? 30));
  return reply
    .status(status)
    .type('application/json')
    .send(options.body ?? { response: null, error: options.error ?? error, error_description: options.description ?? description });
}

export function teslaFault(reply: FastifyReply, status: number, fault: Fault): FastifyReply {
  return teslaError(reply, status, { ...(fault.retryAfterS !== undefined ? { retryAfterS: fault.retryAfterS } : {}), ...(fault.body !== undefined ? { body: fault.body } : {}) });
}

export function teslaRateLimited(reply: FastifyReply, retryAfterS: number): FastifyReply {
  return teslaError(reply, 429, { retryAfterS });
}
