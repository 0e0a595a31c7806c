// The app-access HTTP surface with DIMO's paths and shapes:
//   POST /auth/web3/generate_challenge   query string and/or form or JSON body → {state, challenge}
//   POST /auth/web3/submit_challenge     form (or JSON) → {access_token, token_type, expires_in, id_token}
//   POST /v1/tokens/exchange             Bearer developer token, JSON → {token}
//   GET  /keys, /.well-known/jwks.json   the public keys tokens verify against
//   GET  /.well-known/openid-configuration
// Its own plugin scope, so the form parser it adds touches no other module's routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CapabilityContext } from '../../node/capability.ts';
import { getAppAccess } from './app-access-runtime.ts';
import { requestBearer } from './bearer.ts';
import { verifyDeveloperToken } from './developer-token.ts';
import { exchangeToken } from './token-exchange.ts';

/** Query-string fields overlaid with body fields (the SDK sends the first call's fields in the query). */
function params(request: FastifyRequest): Record<string, unknown> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body = request.body && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

export async function appRoutes(app: FastifyInstance, ctx: CapabilityContext): Promise<void> {
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });

    scope.addHook('onError', async (_request, reply, error) => {
      const err = error as { code?: string; details?: { retryAfterSec?: number } };
      if (err.code === 'ODM_ERR_RATE_LIMITED') void reply.header('retry-after', String(err.details?.retryAfterSec ?? 1));
      if (err.code === 'ODM_ERR_TOKEN_INVALID') void reply.header('www-authenticate', 'Bearer realm="opendimo", error="invalid_token"');
    });

    scope.post('/auth/web3/generate_challenge', async (request) => getAppAccess(ctx.services()).auth.generate(params(request)));

    scope.post('/auth/web3/submit_challenge', async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return getAppAccess(ctx.services()).auth.submit(params(request));
    });

    scope.post('/v1/tokens/exchange', async (request, reply) => {
      const services = ctx.services();
      const rt = getAppAccess(services);
      const dev = await verifyDeveloperToken(services, requestBearer(request, 'developer token from POST /auth/web3/submit_challenge'));
      rt.rateLimiter.take(dev.licenseId, services.clock.now());
      void reply.header('cache-control', 'no-store');
      return exchangeToken(services, rt, dev, request.body);
    });

    const jwks = async () => getAppAccess(ctx.services()).jwks;
    scope.get('/keys', jwks);
    scope.get('/.well-known/jwks.json', jwks);
    scope.get('/.well-known/openid-configuration', async () => {
      const { issuer } = getAppAccess(ctx.services());
      return {
        issuer,
        jwks_uri: `${issuer}/keys`,
        token_endpoint: `${issuer}/auth/web3/submit_challenge`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        id_token_signing_alg_values_supported: ['ES256'],
        subject_types_supported: ['public'],
      };
    });
  });
}
