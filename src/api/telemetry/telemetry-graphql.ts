// Mounts the telemetry GraphQL at /query (its own plugin scope, beside the identity GraphQL), with
// graphql-ws subscriptions on the same path for live data (src/live/live-schema.ts). HTTP requests are
// authenticated before GraphQL runs: a missing or bad vehicle token is 401, an exhausted license budget
// 429 with Retry-After, a license the gate refuses or a vehicle the owner no longer shares 403, each as
// a GraphQL error whose extensions.code is the stable ODM_ERR_* code. Every answered read is recorded in
// the owner's activity log (coalesced per app, vehicle and minute).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import { isOdmError, OdmError, toOdmError } from '../../core/errors.ts';
import { loadDefaultCatalog } from '../../ingest/normalize/signal-catalog.ts';
import { liveResolvers, liveTypeDefs } from '../../live/live-schema.ts';
import type { CapabilityContext } from '../../node/capability.ts';
import { getAppAccess } from '../apps/app-access-runtime.ts';
import { verifyVehicleToken } from '../apps/vehicle-token.ts';
import { signalFields } from './signal-fields.ts';
import { authenticateTelemetry } from './telemetry-auth.ts';
import type { TelemetryAuth, TelemetryContext } from './telemetry-context.ts';
import { telemetryResolvers } from './telemetry-resolvers.ts';
import { getTelemetryRuntime } from './telemetry-runtime.ts';
import { buildTelemetrySchema } from './telemetry-schema.ts';

export const TELEMETRY_GRAPHQL_PATH = '/query';

/** An error as graphql-over-http: {data: null, errors: [{message, extensions: {code, …details}}]}. */
function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const e = isOdmError(err) ? err : toOdmError(err);
  if (e.status >= 500) reply.log.error({ err, code: e.code }, e.message);
  if (e.status === 401) void reply.header('www-authenticate', e.code === 'ODM_ERR_TOKEN_INVALID' ? 'Bearer realm="opendimo", error="invalid_token"' : 'Bearer realm="opendimo"');
  if (e.code === 'ODM_ERR_RATE_LIMITED') void reply.header('retry-after', String((e.details.retryAfterSec as number | undefined) ?? 1));
  if (e.retryable && e.status === 503) void reply.header('retry-after', '1');
  const message = e.status >= 500 && e.code === 'ODM_ERR_INTERNAL' ? 'internal error' : e.message;
  return reply.code(e.status).send({ data: null, errors: [{ message, extensions: { code: e.code, ...e.details } }] });
}

/** The vehicle token of a graphql-ws connection_init payload ({Authorization}, {authorization}, {headers: {…}} or {token}). */
function initToken(payload: unknown): string {
  const p = (payload ?? {}) as Record<string, unknown>;
  const headers = (p.headers ?? p) as Record<string, unknown>;
  const raw = headers.Authorization ?? headers.authorization ?? p.token;
  if (typeof raw !== 'string') throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'connection_init must carry Authorization: Bearer <vehicle token>');
  return raw.replace(/^Bearer\s+/i, '');
}

export async function registerTelemetryGraphql(app: FastifyInstance, ctx: CapabilityContext): Promise<void> {
  const fields = signalFields(loadDefaultCatalog());
  const resolvers = telemetryResolvers(fields);
  resolvers.Subscription = { ...(liveResolvers as { Subscription?: Record<string, unknown> }).Subscription };
  const auths = new WeakMap<FastifyRequest, TelemetryAuth>();

  await app.register(async (scope) => {
    scope.addHook('preHandler', async (request, reply) => {
      if (request.routeOptions.url !== TELEMETRY_GRAPHQL_PATH || request.headers.upgrade?.toLowerCase() === 'websocket') return;
      try {
        auths.set(request, await authenticateTelemetry(ctx.services(), request.headers.authorization));
      } catch (err) {
        return sendError(reply, err);
      }
    });
    // Server-Timing lets clients (and the bench) tell the node's time from the network's.
    scope.addHook('onSend', async (_request, reply, payload) => {
      void reply.header('server-timing', `total;dur=${reply.elapsedTime.toFixed(3)}`);
      return payload;
    });
    scope.addHook('onResponse', async (request, reply) => {
      const auth = auths.get(request);
      if (!auth || auth.used.size === 0 || reply.statusCode >= 400) return;
      try {
        getAppAccess(ctx.services()).reads.record({
          owner: auth.owner, vehicleId: auth.vehicleId, licenseId: auth.claims.licenseId, address: auth.claims.grantee, name: auth.licenseName,
          privileges: [...auth.used].sort((a, b) => a - b), api: 'telemetry',
        });
      } catch (err) {
        request.log.warn({ err }, 'app read not recorded');
      }
    });

    await scope.register(mercurius, {
      schema: [buildTelemetrySchema(fields.values()), liveTypeDefs].join('\n'),
      resolvers: resolvers as never,
      path: TELEMETRY_GRAPHQL_PATH,
      graphiql: false,
      queryDepth: 12,
      // Compile a query to JavaScript from its second run: bucket lists resolve thousands of fields.
      jit: 1,
      context: (request: FastifyRequest): TelemetryContext => ({
        services: () => ctx.services(),
        telemetry: () => getTelemetryRuntime(ctx.services()),
        auth: auths.get(request),
      }),
      subscription: {
        context: (): TelemetryContext => ({ services: () => ctx.services(), telemetry: () => getTelemetryRuntime(ctx.services()), auth: undefined }),
        onConnect: async (data: { payload?: unknown }) => {
          const vehicleToken = await verifyVehicleToken(ctx.services(), initToken(data.payload));
          return { vehicleToken };
        },
      },
    });
  });
}
