// Owner sign-in and identity over HTTP:
//   POST /v1/owner/auth/challenge  {address}            → {message, nonce, expiresAt}   (EIP-4361 message to sign)
//   POST /v1/owner/auth/verify     {message, signature} → {token, expiresAt}            (owner JWT, 1 h)
//   GET  /v1/owner/me              Bearer token         → {address, vehicles: [tokenId…]}
// Times are epoch milliseconds; token ids decimal strings.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OdmError } from '../../core/errors.ts';
import { getIdentityRuntime } from '../../identity/identity-runtime.ts';
import type { CapabilityContext } from '../../node/capability.ts';
import { getOwnerAuth } from './owner-auth.ts';
import { requireOwner } from './require-owner.ts';

const challengeBody = z.object({ address: z.string() });
const verifyBody = z.object({ message: z.string(), signature: z.string() });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new OdmError('ODM_ERR_VALIDATION', 'the request body is not valid', {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

export function ownerRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  app.post('/v1/owner/auth/challenge', async (request) => {
    const { address } = parse(challengeBody, request.body);
    return getOwnerAuth(ctx.services()).challenge(address, request.headers.host);
  });

  app.post('/v1/owner/auth/verify', async (request) => {
    const { message, signature } = parse(verifyBody, request.body);
    const { token, expiresAt } = await getOwnerAuth(ctx.services()).verify(message, signature);
    return { token, expiresAt };
  });

  app.get('/v1/owner/me', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const vehicles = getIdentityRuntime(services).mirror.index.vehicleIds(address).map(String);
    return { address, vehicles };
  });
}
