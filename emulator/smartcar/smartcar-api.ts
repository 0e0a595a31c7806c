// Smartcar API v2.0 (api.smartcar.com/v2.0): vehicles list, per-vehicle data endpoints, batch with
// per-item status, lock/unlock, disconnect. Tokens reach only the vehicles authorised at Connect.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRng, randomUuid } from '../core/rng.ts';
import type { VehicleProfile } from '../fleet/fleet.ts';
import type { BillingCategory } from '../server/call-log.ts';
import { callOf, gate, requestPath, withinRateLimit } from '../server/http-kit.ts';
import type { Grant } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { smartcarError, smartcarErrorBody, smartcarFault, smartcarRateLimited } from './smartcar-errors.ts';
import { ENDPOINTS, readSmartcarPath, type UnitSystem } from './smartcar-views.ts';

interface Authed {
  grant: Grant;
  vehicle?: VehicleProfile;
}

const MAX_BATCH = 20;

export function registerSmartcarApi(app: FastifyInstance, state: EmulatorState): void {
  let requestIds = createRng(state.seed, 'smartcar-request-ids');
  let idsSeed = state.seed;
  app.addHook('onRequest', async (_request, reply) => {
    if (idsSeed !== state.seed) {
      requestIds = createRng(state.seed, 'smartcar-request-ids');
      idsSeed = state.seed;
    }
    void reply.header('sc-request-id', randomUuid(requestIds));
  });

  const authorize = async (request: FastifyRequest, reply: FastifyReply, category: BillingCategory, units = 1, limit = true): Promise<Authed | null> => {
    const now = state.now();
    const auth = state.tokens.authenticate('smartcar', request.headers.authorization, now);
    const alias = (request.params as { id?: string }).id;
    const named = alias ? state.fleet.vehicle(alias) : undefined;
    const vehicle = named?.oem === 'smartcar' ? named : undefined;
    const accountId = typeof auth === 'string' ? (vehicle?.accountId ?? null) : auth.grant.accountId;
    if (!(await gate(state, request, reply, { vehicle: vehicle?.key ?? null, account: accountId, category, noRateLimit: true }, smartcarFault, smartcarRateLimited))) return null;
    if (typeof auth === 'string') {
      smartcarError(reply, 401);
      return null;
    }
    if (alias !== undefined && (!vehicle || !auth.grant.vehicleKeys?.includes(vehicle.key))) {
      // Smartcar treats a vehicle the token does not cover as an authentication problem.
      smartcarError(reply, 401, { description: 'The access token does not grant access to this vehicle.' });
      return null;
    }
    if (limit && !withinRateLimit(state, request, reply, units, smartcarRateLimited)) return null;
    return { grant: auth.grant, ...(vehicle ? { vehicle } : {}) };
  };

  const unitsOf = (request: FastifyRequest): UnitSystem => (String(request.headers['sc-unit-system'] ?? '').toLowerCase() === 'imperial' ? 'imperial' : 'metric');

  app.get('/v2.0/user', async (request, reply) => {
    const a = await authorize(request, reply, 'state');
    if (!a) return reply;
    return { id: a.grant.userId };
  });

  app.get('/v2.0/vehicles', async (request, reply) => {
    const a = await authorize(request, reply, 'state');
    if (!a) return reply;
    const q = request.query as { limit?: string; offset?: string };
    const limit = Math.min(50, Math.max(1, Number.parseInt(q.limit ?? '10', 10) || 10));
    const offset = Math.max(0, Number.parseInt(q.offset ?? '0', 10) || 0);
    const ids = (a.grant.vehicleKeys ?? []).map((k) => state.fleet.vehicle(k)!.oemId);
    return { vehicles: ids.slice(offset, offset + limit), paging: { count: ids.length, offset } };
  });

  const single = async (request: FastifyRequest, reply: FastifyReply, path: string) => {
    const endpoint = ENDPOINTS[path];
    const a = await authorize(request, reply, endpoint?.data ? 'data' : 'state');
    if (!a) return reply;
    const answer = readSmartcarPath(state, a.grant, a.vehicle!, path, unitsOf(request), String(reply.getHeader('sc-request-id')));
    if (!answer.billable) callOf(request).units = 0;
    for (const [k, v] of Object.entries(answer.headers)) void reply.header(k, v);
    return reply.status(answer.code).send(answer.body);
  };

  app.get('/v2.0/vehicles/:id', (request, reply) => single(request, reply, '/'));
  app.get('/v2.0/vehicles/:id/*', (request, reply) => single(request, reply, `/${(request.params as { '*': string })['*']}`));

  app.post('/v2.0/vehicles/:id/batch', async (request, reply) => {
    const body = request.body as { requests?: unknown } | undefined;
    const requests = Array.isArray(body?.requests) ? (body.requests as { path?: unknown }[]) : undefined;
    const valid = requests && requests.length > 0 && requests.length <= MAX_BATCH && requests.every((r) => typeof r?.path === 'string');
    const a = await authorize(request, reply, 'data', valid ? requests!.length : 1);
    if (!a) return reply;
    if (!valid) return smartcarError(reply, 400, { description: `requests must be a list of 1 to ${MAX_BATCH} {path} objects` });
    const requestId = String(reply.getHeader('sc-request-id'));
    const units = unitsOf(request);
    const now = state.now();
    let billable = 0;
    const responses = requests!.map(({ path }) => {
      const p = path as string;
      const fault = state.faults.take({
        oem: 'smartcar', api: 'api', method: 'GET', path: `/v2.0/vehicles/${a.vehicle!.oemId}${p}`, vehicleKey: a.vehicle!.key,
        accountId: a.grant.accountId, batchItem: true,
      }, now);
      if (fault?.status !== undefined) {
        const { status, body: errorBody } = smartcarErrorBody(fault.status, requestId, fault.body !== undefined ? { body: fault.body } : {});
        return { path: p, code: status, body: errorBody, headers: status === 429 ? { 'retry-after': String(fault.retryAfterS ?? 30) } : {} };
      }
      const answer = readSmartcarPath(state, a.grant, a.vehicle!, p, units, requestId);
      if (answer.billable) billable++;
      return { path: p, code: answer.code, body: answer.body, headers: answer.headers };
    });
    callOf(request).units = billable;
    return { responses };
  });

  app.post('/v2.0/vehicles/:id/security', async (request, reply) => {
    const a = await authorize(request, reply, 'command');
    if (!a) return reply;
    const action = (request.body as { action?: unknown } | undefined)?.action;
    if (action !== 'LOCK' && action !== 'UNLOCK') {
      callOf(request).units = 0;
      return smartcarError(reply, 400, { description: 'action must be LOCK or UNLOCK' });
    }
    if (!a.grant.scopes.includes('control_security')) return smartcarError(reply, 403, { description: 'This request needs the control_security permission.' });
    if (a.vehicle!.spec.lacks?.includes('security')) return smartcarError(reply, 501);
    const it = state.interaction(a.vehicle!);
    const now = state.now();
    it.lastCommandAt = now;
    it.lock = { locked: action === 'LOCK', at: now };
    return { status: 'success', message: 'Successfully sent request to vehicle' };
  });

  app.delete('/v2.0/vehicles/:id/application', async (request, reply) => {
    const a = await authorize(request, reply, 'state', 1, false);
    if (!a) return reply;
    a.grant.vehicleKeys = (a.grant.vehicleKeys ?? []).filter((k) => k !== a.vehicle!.key);
    return { status: 'success' };
  });

  app.setNotFoundHandler((request, reply) => smartcarError(reply, 404, { description: `No endpoint ${request.method} ${requestPath(request)}` }));
  app.setErrorHandler((err, _request, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return smartcarError(reply, status < 500 ? 400 : 500, status < 500 ? { description: err instanceof Error ? err.message : String(err) } : {});
  });
}
