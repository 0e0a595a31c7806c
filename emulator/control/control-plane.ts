// The control plane (/_emulator/…, loopback only): the emulator's clock, fleet, faults, call log,
// billing and tokens, for tests and for people. Errors use opendimo's {code, message, details}.
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { installErrorHandler } from '../../src/api/error-handler.ts';
import { OdmError } from '../../src/core/errors.ts';
import type { VehicleProfile } from '../fleet/fleet.ts';
import { POLICIES } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { accountView, grantView, interactionView, vehicleView } from './views.ts';
import { registerControlObservability } from './control-observability.ts';
import { parse } from './parse.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function findVehicle(state: EmulatorState, id: string): VehicleProfile {
  const v = state.fleet.vehicle(id);
  if (!v) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated vehicle ${id} (use its key, OEM id or VIN)`);
  return v;
}

const clockAdvance = z.object({ ms: z.number().nonnegative().optional(), seconds: z.number().nonnegative().optional(), minutes: z.number().nonnegative().optional(), hours: z.number().nonnegative().optional() }).strict();
const clockSet = z.object({ time: z.union([z.number(), z.string()]) }).strict();
const newAccount = z.object({ oem: z.enum(['tesla', 'smartcar']), region: z.enum(['na', 'eu']).optional(), vehicles: z.number().int().min(1).max(20).optional() }).strict();
const paging = z.object({ oem: z.enum(['tesla', 'smartcar']).optional(), limit: z.coerce.number().int().min(1).max(10_000).default(100), offset: z.coerce.number().int().min(0).default(0) });
const issue = z.object({ account: z.string(), scopes: z.array(z.string()).optional(), clientId: z.string().optional() }).strict();
const revoke = z.object({ token: z.string().optional(), account: z.string().optional(), whole: z.boolean().default(true) }).strict();
const client = z.object({ oem: z.enum(['tesla', 'smartcar']), clientId: z.string().min(1), clientSecret: z.string().min(1), redirectUris: z.array(z.string()).default([]) }).strict();

const DEFAULT_SCOPES = {
  tesla: ['openid', 'offline_access', 'user_data', 'vehicle_device_data', 'vehicle_location', 'vehicle_cmds', 'vehicle_charging_cmds'],
  smartcar: ['read_vehicle_info', 'read_vin', 'read_odometer', 'read_battery', 'read_charge', 'read_fuel', 'read_location', 'read_tires', 'read_engine_oil', 'read_security', 'control_security'],
};

export function createControlPlane(state: EmulatorState): FastifyInstance {
  const app = Fastify({ logger: false, trustProxy: false, forceCloseConnections: true });
  installErrorHandler(app);
  app.addHook('onRequest', async (request) => {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) throw new OdmError('ODM_ERR_FORBIDDEN', 'the emulator control plane answers loopback callers only', { status: 403 });
  });

  const clockView = () => ({ now: state.now(), iso: new Date(state.now()).toISOString(), offsetMs: state.clock.offsetMs, epochMs: state.sim.epochMs });

  app.get('/_emulator', async () => ({
    seed: state.seed,
    clock: clockView(),
    urls: state.urls,
    accounts: { tesla: state.fleet.accounts.filter((a) => a.oem === 'tesla').length, smartcar: state.fleet.accounts.filter((a) => a.oem === 'smartcar').length },
    vehicles: state.fleet.vehicles.length,
    clients: state.clients,
    sleepAfterMs: state.options.sleepAfterMs,
    wakeDelayMs: state.options.wakeDelayMs,
    rateLimits: state.options.rateLimits,
    tokenPolicies: POLICIES,
  }));
  app.get('/_emulator/health', async () => ({ ok: true, vehicles: state.fleet.vehicles.length }));

  app.get('/_emulator/clock', async () => clockView());
  app.post('/_emulator/clock/advance', async (request) => {
    const b = parse(clockAdvance, request.body);
    state.clock.advance((b.ms ?? 0) + (b.seconds ?? 0) * 1000 + (b.minutes ?? 0) * 60_000 + (b.hours ?? 0) * 3_600_000);
    return clockView();
  });
  app.post('/_emulator/clock/set', async (request) => {
    const { time } = parse(clockSet, request.body);
    const ms = typeof time === 'number' ? time : Date.parse(time);
    if (!Number.isFinite(ms)) throw new OdmError('ODM_ERR_VALIDATION', `not a time: ${String(time)}`);
    state.clock.set(ms);
    return clockView();
  });

  app.post('/_emulator/reset', async (request) => {
    const { seed } = parse(z.object({ seed: z.union([z.string(), z.number()]).optional() }).strict(), request.body);
    state.reset(seed === undefined ? undefined : String(seed));
    state.logger.info({ emulatorSeed: state.seed }, 'emulator reset');
    return { seed: state.seed, vehicles: state.fleet.vehicles.length, clock: clockView() };
  });

  app.get('/_emulator/accounts', async (request) => {
    const q = parse(paging, request.query);
    const all = state.fleet.accounts.filter((a) => !q.oem || a.oem === q.oem);
    return { count: all.length, accounts: all.slice(q.offset, q.offset + q.limit).map((a) => accountView(state, a)) };
  });
  app.get('/_emulator/accounts/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    const a = state.fleet.account(id);
    if (!a) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated account ${id}`);
    return accountView(state, a);
  });
  app.post('/_emulator/accounts', async (request, reply) => {
    const b = parse(newAccount, request.body);
    const a = state.fleet.createAccount({ oem: b.oem, ...(b.region ? { region: b.region } : {}), ...(b.vehicles ? { vehicles: b.vehicles } : {}) });
    return reply.status(201).send(accountView(state, a));
  });

  app.post('/_emulator/accounts/:id/vehicles', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const a = state.fleet.account(id);
    if (!a) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated account ${id}`);
    return reply.status(201).send(vehicleView(state.fleet.addVehicle(a)));
  });

  app.get('/_emulator/vehicles', async (request) => {
    const q = parse(paging, request.query);
    const all = state.fleet.vehicles.filter((v) => !q.oem || v.oem === q.oem);
    return { count: all.length, vehicles: all.slice(q.offset, q.offset + q.limit).map(vehicleView) };
  });
  app.get('/_emulator/vehicles/:id', async (request) => {
    const v = findVehicle(state, (request.params as { id: string }).id);
    const { at } = parse(z.object({ at: z.coerce.number().optional() }), request.query);
    const t = at ?? state.now();
    const snapshot = state.snapshot(v, t);
    return { vehicle: vehicleView(v), at: t, connectivity: state.connectivity(v, t, snapshot), snapshot, interaction: interactionView(state.interaction(v)) };
  });
  app.get('/_emulator/vehicles/:id/trips', async (request) => {
    const v = findVehicle(state, (request.params as { id: string }).id);
    const q = parse(z.object({ from: z.coerce.number().optional(), to: z.coerce.number().optional() }), request.query);
    const to = q.to ?? state.now();
    const from = q.from ?? to - 86_400_000;
    const tl = state.sim.timeline(v);
    tl.segmentAt(to);
    const trips = tl.segments
      .filter((s) => s.kind === 'drive' && s.end >= from && s.start <= to)
      .map((s) => (s.kind === 'drive' ? { start: s.start, end: s.end, from: s.from, to: s.to, distanceKm: s.distanceM / 1000, odometerStartKm: s.odoStartKm } : null));
    return { vehicle: v.key, from, to, trips };
  });
  app.post('/_emulator/vehicles/:id/sleep', async (request) => {
    const v = findVehicle(state, (request.params as { id: string }).id);
    const it = state.interaction(v);
    const now = state.now();
    it.forcedSleepAt = now;
    if (it.wakeReadyAt > now) it.wakeReadyAt = -Infinity;
    return { vehicle: v.key, connectivity: state.connectivity(v, now) };
  });
  app.post('/_emulator/vehicles/:id/connectivity', async (request) => {
    const v = findVehicle(state, (request.params as { id: string }).id);
    const { offline } = parse(z.object({ offline: z.boolean() }).strict(), request.body);
    state.interaction(v).forcedOffline = offline;
    return { vehicle: v.key, connectivity: state.connectivity(v) };
  });

  app.get('/_emulator/tokens', async (request) => {
    const q = parse(z.object({ account: z.string().optional(), oem: z.enum(['tesla', 'smartcar']).optional() }), request.query);
    const now = state.now();
    return { grants: state.tokens.grants({ ...(q.account ? { accountId: q.account } : {}), ...(q.oem ? { oem: q.oem } : {}) }).map((g) => grantView(state, g, now)) };
  });
  app.post('/_emulator/tokens', async (request, reply) => {
    const b = parse(issue, request.body);
    const a = state.fleet.account(b.account);
    if (!a) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated account ${b.account}`);
    const clientId = b.clientId ?? state.clients.find((c) => c.oem === a.oem)?.clientId;
    if (!clientId || !state.client(a.oem, clientId)) throw new OdmError('ODM_ERR_VALIDATION', `no ${a.oem} client ${clientId ?? ''}`);
    const set = state.tokens.issueDirect({
      oem: a.oem, accountId: a.id, userId: a.oemUserId, region: a.region, clientId, scopes: b.scopes ?? DEFAULT_SCOPES[a.oem],
      ...(a.oem === 'smartcar' ? { vehicleKeys: [...a.vehicleKeys] } : {}),
    }, state.now());
    return reply.status(201).send({
      grant: set.grant.id,
      access_token: set.access.token,
      refresh_token: set.refresh?.token ?? null,
      expires_in: POLICIES[a.oem].accessTtlMs / 1000,
      token_type: 'Bearer',
    });
  });
  app.post('/_emulator/tokens/revoke', async (request) => {
    const b = parse(revoke, request.body);
    const now = state.now();
    if (b.token) {
      if (!state.tokens.revokeToken(b.token, b.whole, now)) throw new OdmError('ODM_ERR_NOT_FOUND', 'no such token');
      return { revoked: b.whole ? 'grant' : 'token' };
    }
    if (b.account) return { revoked: 'account', grants: state.tokens.revokeAccount(b.account, now) };
    throw new OdmError('ODM_ERR_VALIDATION', 'give a token or an account');
  });

  app.get('/_emulator/clients', async () => ({ clients: state.clients }));
  app.post('/_emulator/clients', async (request, reply) => {
    const c = parse(client, request.body);
    state.clients = state.clients.filter((x) => !(x.oem === c.oem && x.clientId === c.clientId)).concat(c);
    return reply.status(201).send(c);
  });

  registerControlObservability(app, state);
  return app;
}
