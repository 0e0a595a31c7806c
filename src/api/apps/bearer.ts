// The bearer token of a request, or ODM_ERR_AUTH_REQUIRED (401) naming what to send.
import type { FastifyRequest } from 'fastify';
import { OdmError } from '../../core/errors.ts';

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

export function bearerToken(header: unknown, hint: string): string {
  const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
  if (!match) {
    throw new OdmError('ODM_ERR_AUTH_REQUIRED', `send Authorization: Bearer <${hint}>`, { details: { reason: header === undefined ? 'missing' : 'malformed' } });
  }
  return match[1]!;
}

export function requestBearer(request: FastifyRequest, hint: string): string {
  return bearerToken(request.headers.authorization, hint);
}
