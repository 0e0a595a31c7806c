// Everything the emulated servers share: the seeded fleet and its simulator, what callers did to each
// vehicle, OAuth state, faults, the call log, billing and rate limits. `reset` rebuilds it in place
// so running servers keep their reference.
import type { Logger } from '../src/core/logger.ts';
import { EmulatorClock } from './core/emulator-clock.ts';
import { type Connectivity, connectivityOf, newInteraction, type VehicleInteraction } from './fleet/connectivity.ts';
import { Fleet, type FleetSize, type VehicleProfile } from './fleet/fleet.ts';
import type { Oem } from './fleet/models.ts';
import { FleetSimulator } from './fleet/simulator.ts';
import type { VehicleSnapshot } from './fleet/snapshot.ts';
import { Billing, CallLog } from './server/call-log.ts';
import { FaultStore } from './server/faults.ts';
import { RateLimiter, type RateLimitTable } from './server/rate-limits.ts';
import { TokenStore } from './server/tokens.ts';

export interface OAuthClient {
  oem: Oem;
  clientId: string;
  clientSecret: string;
  /** Allowed redirect URIs; empty = any. */
  redirectUris: string[];
}

export const DEFAULT_CLIENTS: readonly OAuthClient[] = [
  { oem: 'tesla', clientId: 'opendimo-tesla-client', clientSecret: 'opendimo-tesla-secret', redirectUris: [] },
  { oem: 'smartcar', clientId: 'opendimo-smartcar-client', clientSecret: 'opendimo-smartcar-secret', redirectUris: [] },
];

export interface EmulatorUrls {
  control: string;
  tesla: { auth: string; na: string; eu: string };
  smartcar: { connect: string; auth: string; api: string };
}

export interface StateOptions {
  seed: string;
  fleet: FleetSize;
  clock: EmulatorClock;
  epochMs: number;
  logger: Logger;
  sleepAfterMs: number;
  wakeDelayMs: number;
  rateLimits: RateLimitTable | null;
  callLogSize: number;
  clients: readonly OAuthClient[];
}

export class EmulatorState {
  readonly clock: EmulatorClock;
  readonly logger: Logger;
  readonly options: StateOptions;
  seed: string;
  fleet!: Fleet;
  sim!: FleetSimulator;
  tokens!: TokenStore;
  faults!: FaultStore;
  calls!: CallLog;
  billing!: Billing;
  limiter!: RateLimiter;
  clients: OAuthClient[] = [];
  #interactions = new Map<string, VehicleInteraction>();
  urls: EmulatorUrls = {
    control: '', tesla: { auth: '', na: '', eu: '' }, smartcar: { connect: '', auth: '', api: '' },
  };

  constructor(options: StateOptions) {
    this.options = options;
    this.clock = options.clock;
    this.logger = options.logger;
    this.seed = options.seed;
    this.reset();
  }

  /** Back to the seeded fleet: accounts, tokens, faults, log, billing and clock offset start over. */
  reset(seed?: string): void {
    if (seed !== undefined) this.seed = seed;
    this.fleet = new Fleet(this.seed, this.options.fleet);
    this.sim = new FleetSimulator(this.fleet, this.options.epochMs);
    this.tokens = new TokenStore(this.seed);
    this.faults = new FaultStore((alias) => this.fleet.vehicle(alias)?.key);
    this.calls = new CallLog(this.options.callLogSize);
    this.billing = new Billing();
    this.limiter = new RateLimiter(this.options.rateLimits);
    this.clients = this.options.clients.map((c) => ({ ...c, redirectUris: [...c.redirectUris] }));
    this.#interactions.clear();
    this.clock.reset();
  }

  now(): number {
    return this.clock.now();
  }

  interaction(v: VehicleProfile): VehicleInteraction {
    let it = this.#interactions.get(v.key);
    if (!it) {
      it = newInteraction();
      this.#interactions.set(v.key, it);
    }
    return it;
  }

  snapshot(v: VehicleProfile, t = this.now()): VehicleSnapshot {
    return this.sim.snapshot(v, t);
  }

  connectivity(v: VehicleProfile, t = this.now(), snap = this.snapshot(v, t)): Connectivity {
    return connectivityOf(v, snap, this.interaction(v), t, this.options.sleepAfterMs);
  }

  client(oem: Oem, clientId: string | undefined): OAuthClient | undefined {
    return this.clients.find((c) => c.oem === oem && c.clientId === clientId);
  }
}
