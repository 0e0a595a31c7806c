// What every emulated API server shares: loopback Fastify with form bodies, a record per request for
// the call log and billing, fault injection and rate limiting. Handlers call `gate()` once they know
// the vehicle and category; it applies faults (then rate limits) and says whether to go on.
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Oem } from '../fleet/models.ts';
import type { EmulatorState } from '../state.ts';
import type { BillingCategory } from './call-log.ts';
import type { ApiName, Fault } from './faults.ts';

export interface CallInfo {
  oem: Oem;
  api: ApiName;
  startedAt: number;
  at: number;
  vehicle: string | null;
  account: string | null;
  category: BillingCategory | null;
  /** Billable units when the answer succeeds (batch: one per successful item). */
  units: number;
  fault: string | null;
  logged: boolean;
}

const calls = new WeakMap<FastifyRequest, CallInfo>();

export function callOf(request: FastifyRequest): CallInfo {
  return calls.get(request)!;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return m?.[1];
}

export function requestPath(request: FastifyRequest): string {
  const i = request.url.indexOf('?');
  return i < 0 ? request.url : request.url.slice(0, i);
}

export function createEmulatedServer(state: EmulatorState, oem: Oem, api: ApiName): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false, forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onRequest', async (request) => {
    calls.set(request, {
      oem, api, startedAt: performance.now(), at: state.now(), vehicle: null, account: null, category: null, units: 1, fault: null, logged: false,
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    logCall(state, request, reply.statusCode);
  });
  return app;
}

export function logCall(state: EmulatorState, request: FastifyRequest, status: number): void {
  const call = calls.get(request);
  if (!call || call.logged) return;
  call.logged = true;
  const i = request.url.indexOf('?');
  state.calls.add({
    at: call.at,
    oem: call.oem,
    api: call.api,
    method: request.method,
    path: requestPath(request),
    query: i < 0 ? '' : request.url.slice(i + 1),
    status,
    vehicle: call.vehicle,
    account: call.account,
    category: call.category,
    fault: call.fault,
    durationMs: Math.round((performance.now() - call.startedAt) * 10) / 10,
  });
  if (status < 400 && call.category && call.units > 0) state.billing.add(call.oem, call.vehicle, call.category, call.units);
}

export type FaultRenderer = (reply: FastifyReply, status: number, fault: Fault) => FastifyReply;

export interface GateInfo {
  vehicle?: string | null;
  account?: string | null;
  category?: BillingCategory | null;
  /** Rate-limit units (batch: its item count). */
  units?: number;
  /** Skip rate limiting (auth endpoints). */
  noRateLimit?: boolean;
}

/**
 * Records what the request is about, then applies the first matching fault and the rate limit.
 * Returns false when the reply has been sent (or the connection dropped) and the handler must stop.
 */
export async function gate(state: EmulatorState, request: FastifyRequest, reply: FastifyReply, info: GateInfo, render: FaultRenderer, renderRateLimit: (reply: FastifyReply, retryAfterS: number) => FastifyReply): Promise<boolean> {
  const call = callOf(request);
  if (info.vehicle !== undefined) call.vehicle = info.vehicle;
  if (info.account !== undefined) call.account = info.account;
  if (info.category !== undefined) call.category = info.category;
  const fault = state.faults.take({
    oem: call.oem, api: call.api, method: request.method, path: requestPath(request),
    ...(call.vehicle ? { vehicleKey: call.vehicle } : {}),
    ...(call.account ? { accountId: call.account } : {}),
    ...(bearerToken(request) ? { token: bearerToken(request)! } : {}),
  }, state.now());
  if (fault) {
    call.fault = fault.id;
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.reset) {
      logCall(state, request, 0);
      reply.hijack();
      request.raw.socket.destroy();
      return false;
    }
    if (fault.status !== undefined) {
      render(reply, fault.status, fault);
      return false;
    }
  }
  if (!info.noRateLimit) return withinRateLimit(state, request, reply, info.units ?? 1, renderRateLimit);
  return true;
}

/** Counts the request against its vehicle's limit; answers 429 (and returns false) when over it. */
export function withinRateLimit(state: EmulatorState, request: FastifyRequest, reply: FastifyReply, units: number, render: (reply: FastifyReply, retryAfterS: number) => FastifyReply): boolean {
  const call = callOf(request);
  if (!call.vehicle || !call.category) return true;
  const wait = state.limiter.take(call.oem, call.vehicle, call.category, state.now(), units);
  if (wait === 0) return true;
  render(reply, wait);
  return false;
}

export async function listenLoopback(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
}
