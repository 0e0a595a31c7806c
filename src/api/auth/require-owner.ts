// The guard for owner routes: `const { address } = await requireOwner(request, services)`. Answers
// ODM_ERR_AUTH_REQUIRED (401, with WWW-Authenticate: Bearer — see owner-auth-capability.ts) when the
// bearer token is missing, malformed, expired or not an owner token of this node.
import type { FastifyRequest } from 'fastify';
import { OdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getOwnerAuth } from './owner-auth.ts';

const known = new WeakMap<FastifyRequest, { address: string }>();

export async function requireOwner(request: FastifyRequest, services: NodeServices): Promise<{ address: string }> {
  const hit = known.get(request);
  if (hit) return hit;
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim()) : null;
  if (!match) {
    throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'sign in as the owner: send Authorization: Bearer <token from POST /v1/owner/auth/verify>', {
      details: { reason: header === undefined ? 'missing' : 'malformed' },
    });
  }
  const session = await getOwnerAuth(services).authenticate(match[1]!);
  const owner = { address: session.address };
  known.set(request, owner);
  return owner;
}
