// Starts the OEM emulator: a seeded fleet and six loopback servers — Tesla auth, Tesla Fleet API for
// North America and for Europe, Smartcar Connect/auth, Smartcar API, and the control plane.
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../src/core/clock.ts';
import { OdmError } from '../src/core/errors.ts';
import { silentLogger, type Logger } from '../src/core/logger.ts';
import { createControlPlane } from './control/control-plane.ts';
import { EmulatorClock } from './core/emulator-clock.ts';
import type { FleetSize } from './fleet/fleet.ts';
import { createEmulatedServer, listenLoopback } from './server/http-kit.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitTable } from './server/rate-limits.ts';
import { registerSmartcarApi } from './smartcar/smartcar-api.ts';
import { registerSmartcarAuth } from './smartcar/smartcar-auth.ts';
import { smartcarError } from './smartcar/smartcar-errors.ts';
import { DEFAULT_CLIENTS, EmulatorState, type EmulatorUrls, type OAuthClient } from './state.ts';
import { registerTeslaAuth } from './tesla/tesla-auth.ts';
import { teslaError } from './tesla/tesla-errors.ts';
import { registerTeslaFleet } from './tesla/tesla-fleet.ts';

export type ServerName = 'control' | 'teslaAuth' | 'teslaNa' | 'teslaEu' | 'smartcarAuth' | 'smartcarApi';
export const SERVER_NAMES: readonly ServerName[] = ['control', 'teslaAuth', 'teslaNa', 'teslaEu', 'smartcarAuth', 'smartcarApi'];

export interface EmulatorOptions {
  /** Everything random derives from it. Default `opendimo`. */
  seed?: string | number;
  /** Accounts per OEM (each with 1–3 vehicles). Default 3 + 3. */
  fleet?: Partial<FleetSize>;
  /** The clock the emulator's own clock runs on; default the system clock. */
  clock?: Clock;
  /** Simulation start (vehicles are parked at home then). Default: UTC midnight of the clock's today. */
  epochMs?: number;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** Ports per server; `basePort` gives consecutive ones in SERVER_NAMES order. Default: free ports. */
  ports?: Partial<Record<ServerName, number>>;
  basePort?: number;
  logger?: Logger;
  /** Idle time before a parked car sleeps. Default 15 min. */
  sleepAfterMs?: number;
  /** Emulator time a Tesla needs to come online after wake_up. Default 10 s. */
  wakeDelayMs?: number;
  /** Per-vehicle limits per minute; `false` disables rate limiting. Default Tesla's published limits. */
  rateLimits?: RateLimitTable | false;
  /** Calls kept in the log. Default 100,000. */
  callLogSize?: number;
  /** OAuth clients; default one per OEM (see DEFAULT_CLIENTS). */
  clients?: OAuthClient[];
}

export interface Emulator {
  urls: EmulatorUrls;
  state: EmulatorState;
  clock: EmulatorClock;
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    throw new OdmError('ODM_ERR_VALIDATION', `the emulator listens on loopback only, not ${host}`);
  }
  const base = options.clock ?? systemClock;
  const clock = new EmulatorClock(base);
  const epochMs = options.epochMs ?? Math.floor(base.now() / 86_400_000) * 86_400_000;
  const state = new EmulatorState({
    seed: String(options.seed ?? 'opendimo'),
    fleet: { tesla: options.fleet?.tesla ?? 3, smartcar: options.fleet?.smartcar ?? 3 },
    clock,
    epochMs,
    logger: options.logger ?? silentLogger(),
    sleepAfterMs: options.sleepAfterMs ?? 15 * 60_000,
    wakeDelayMs: options.wakeDelayMs ?? 10_000,
    rateLimits: options.rateLimits === false ? null : (options.rateLimits ?? DEFAULT_RATE_LIMITS),
    callLogSize: options.callLogSize ?? 100_000,
    clients: options.clients ?? DEFAULT_CLIENTS,
  });

  const servers: Record<ServerName, FastifyInstance> = {
    control: createControlPlane(state),
    teslaAuth: createEmulatedServer(state, 'tesla', 'auth'),
    teslaNa: createEmulatedServer(state, 'tesla', 'api'),
    teslaEu: createEmulatedServer(state, 'tesla', 'api'),
    smartcarAuth: createEmulatedServer(state, 'smartcar', 'auth'),
    smartcarApi: createEmulatedServer(state, 'smartcar', 'api'),
  };
  registerTeslaAuth(servers.teslaAuth, state);
  registerTeslaFleet(servers.teslaNa, state, 'na');
  registerTeslaFleet(servers.teslaEu, state, 'eu');
  registerSmartcarAuth(servers.smartcarAuth, state);
  registerSmartcarApi(servers.smartcarApi, state);
  for (const name of ['teslaAuth', 'smartcarAuth'] as const) {
    const render = name === 'teslaAuth' ? teslaError : smartcarError;
    servers[name].setNotFoundHandler((_req, reply) => render(reply, 404));
    servers[name].setErrorHandler((err, _req, reply) => {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      return status < 500 ? reply.status(400).send({ error: 'invalid_request', error_description: err instanceof Error ? err.message : String(err) }) : render(reply, 500);
    });
  }

  const started: FastifyInstance[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  const urls: Partial<Record<ServerName, string>> = {};
  try {
    for (const [i, name] of SERVER_NAMES.entries()) {
      const port = options.ports?.[name] ?? (options.basePort !== undefined ? options.basePort + i : 0);
      urls[name] = await listenOrExplain(servers[name], host, port, name);
      started.push(servers[name]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  state.urls = {
    control: urls.control!,
    tesla: { auth: urls.teslaAuth!, na: urls.teslaNa!, eu: urls.teslaEu! },
    smartcar: { connect: urls.smartcarAuth!, auth: urls.smartcarAuth!, api: urls.smartcarApi! },
  };
  state.logger.debug({ urls: state.urls, emulatorSeed: state.seed, vehicles: state.fleet.vehicles.length }, 'OEM emulator started');
  return { urls: state.urls, state, clock, stop };
}

async function listenOrExplain(app: FastifyInstance, host: string, port: number, name: ServerName): Promise<string> {
  try {
    return await listenLoopback(app, host, port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new OdmError('ODM_ERR_PORT_IN_USE', `emulator ${name} cannot listen on ${host}:${port}: the port is in use`, { cause: err, details: { host, port, server: name } });
    }
    throw err;
  }
}
