// Tesla Fleet API (one regional host: fleet-api.prd.<na|eu>.vn.cloud.tesla.com). State checks are
// answered by the cloud and never wake the car; vehicle_data reaches the car and answers 408 while
// it sleeps; wake_up takes `wakeDelayMs` of emulator time; a user of the other region gets 421.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Region } from '../fleet/cities.ts';
import { isLocked } from '../fleet/connectivity.ts';
import type { Account, VehicleProfile } from '../fleet/fleet.ts';
import type { BillingCategory } from '../server/call-log.ts';
import { callOf, gate, withinRateLimit } from '../server/http-kit.ts';
import type { Grant } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { teslaError, teslaFault, teslaRateLimited } from './tesla-errors.ts';
import { DEFAULT_ENDPOINTS, KNOWN_ENDPOINTS, teslaVehicleData, teslaVehicleSummary } from './tesla-views.ts';

interface Authed {
  grant: Grant;
  account: Account;
  vehicle?: VehicleProfile;
}

interface Need {
  category: BillingCategory;
  vehicle: boolean;
  scopes: string[];
  /** /users/region answers from any regional host. */
  anyRegion?: boolean;
}

const COMMANDS = new Set(['door_lock', 'door_unlock', 'flash_lights', 'honk_horn']);

export function registerTeslaFleet(app: FastifyInstance, state: EmulatorState, region: Region): void {
  /** Token, faults, region, vehicle ownership, scopes and rate limit, in Tesla's order. */
  const authorize = async (request: FastifyRequest, reply: FastifyReply, need: Need): Promise<Authed | null> => {
    const now = state.now();
    const auth = state.tokens.authenticate('tesla', request.headers.authorization, now);
    const alias = (request.params as { id?: string }).id;
    const named = alias ? state.fleet.vehicle(alias) : undefined;
    const vehicle = named?.oem === 'tesla' ? named : undefined;
    const accountId = typeof auth === 'string' ? (vehicle?.accountId ?? null) : auth.grant.accountId;
    const ok = await gate(state, request, reply, { vehicle: vehicle?.key ?? null, account: accountId, category: need.category, noRateLimit: true }, teslaFault, teslaRateLimited);
    if (!ok) return null;
    if (typeof auth === 'string') {
      teslaError(reply, 401, auth === 'expired' ? { error: 'token_expired', description: 'The OAuth token has expired' } : auth === 'missing' ? { description: 'Authorization header must be Bearer <token>' } : {});
      return null;
    }
    const account = state.fleet.account(auth.grant.accountId)!;
    if (!need.anyRegion && account.region !== region) {
      teslaError(reply, 421, { description: `user out of region, use base URL ${state.urls.tesla[account.region]}` });
      return null;
    }
    if (need.vehicle && (!vehicle || vehicle.accountId !== account.id)) {
      teslaError(reply, 404, { error: 'not_found', description: `vehicle ${alias} not found` });
      return null;
    }
    const missing = need.scopes.filter((s) => !auth.grant.scopes.includes(s));
    if (missing.length) {
      teslaError(reply, 403, { description: `missing scopes: ${missing.join(' ')}` });
      return null;
    }
    if (!withinRateLimit(state, request, reply, 1, teslaRateLimited)) return null;
    return { grant: auth.grant, account, ...(vehicle ? { vehicle } : {}) };
  };

  app.get('/api/1/users/region', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'state', vehicle: false, scopes: [], anyRegion: true });
    if (!a) return reply;
    return { response: { region: a.account.region, fleet_api_base_url: state.urls.tesla[a.account.region] } };
  });

  app.get('/api/1/users/me', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'state', vehicle: false, scopes: ['user_data'] });
    if (!a) return reply;
    return { response: { email: a.account.email, full_name: a.account.name, profile_image_url: null, vault_uuid: a.account.oemUserId } };
  });

  app.get('/api/1/vehicles', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'state', vehicle: false, scopes: [] });
    if (!a) return reply;
    const q = request.query as { page?: string; per_page?: string };
    const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
    const perPage = Math.min(100, Math.max(1, Number.parseInt(q.per_page ?? '100', 10) || 100));
    const all = state.fleet.vehiclesOf(a.account);
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const now = state.now();
    const response = all.slice((page - 1) * perPage, page * perPage).map((v) => teslaVehicleSummary(state.seed, v, state.connectivity(v, now)));
    return {
      response,
      pagination: { previous: page > 1 ? page - 1 : null, next: page < pages ? page + 1 : null, current: page, per_page: perPage, count: all.length, pages },
      count: all.length,
    };
  });

  app.get('/api/1/vehicles/:id', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'state', vehicle: true, scopes: ['vehicle_device_data'] });
    if (!a) return reply;
    return { response: teslaVehicleSummary(state.seed, a.vehicle!, state.connectivity(a.vehicle!)) };
  });

  app.get('/api/1/vehicles/:id/vehicle_data', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'data', vehicle: true, scopes: ['vehicle_device_data'] });
    if (!a) return reply;
    const v = a.vehicle!;
    const now = state.now();
    const snap = state.snapshot(v, now);
    if (state.connectivity(v, now, snap) !== 'online') return teslaError(reply, 408);
    const it = state.interaction(v);
    it.lastDataAt = now;
    const raw = (request.query as { endpoints?: string }).endpoints;
    const endpoints = new Set(raw ? raw.split(/[;,]/).map((e) => e.trim()).filter((e) => KNOWN_ENDPOINTS.has(e)) : DEFAULT_ENDPOINTS);
    return {
      response: teslaVehicleData({
        seed: state.seed, vehicle: v, snap, endpoints, now,
        locationAllowed: a.grant.scopes.includes('vehicle_location'),
        locked: isLocked(snap, it),
      }),
    };
  });

  app.post('/api/1/vehicles/:id/wake_up', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'wake', vehicle: true, scopes: ['vehicle_device_data'] });
    if (!a) return reply;
    const v = a.vehicle!;
    const now = state.now();
    const conn = state.connectivity(v, now);
    const it = state.interaction(v);
    if (conn === 'online') it.wakeReadyAt = now;
    else if (conn === 'asleep' && !(it.wakeReadyAt > now)) it.wakeReadyAt = now + state.options.wakeDelayMs;
    return { response: teslaVehicleSummary(state.seed, v, state.connectivity(v, now)) };
  });

  app.post('/api/1/vehicles/:id/command/:command', async (request, reply) => {
    const a = await authorize(request, reply, { category: 'command', vehicle: true, scopes: ['vehicle_cmds'] });
    if (!a) return reply;
    const command = (request.params as { command: string }).command;
    if (!COMMANDS.has(command)) {
      callOf(request).units = 0;
      return teslaError(reply, 400, { error: 'invalid_command', description: `the emulator does not model ${command}` });
    }
    const v = a.vehicle!;
    const now = state.now();
    if (state.connectivity(v, now) !== 'online') return teslaError(reply, 408);
    const it = state.interaction(v);
    it.lastCommandAt = now;
    if (command === 'door_lock' || command === 'door_unlock') it.lock = { locked: command === 'door_lock', at: now };
    return { response: { result: true, reason: '' } };
  });

  app.setNotFoundHandler((_request, reply) => teslaError(reply, 404, { error: 'not_found', description: 'no such endpoint' }));
  app.setErrorHandler((err, _request, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return status < 500 ? teslaError(reply, status === 415 ? 400 : status, { error: 'invalid_request', description: err instanceof Error ? err.message : String(err) }) : teslaError(reply, 500);
  });
}
