// The polling side of the connectors: every active connection is a key in one scheduler; each visit
// runs the OEM's poller with the shared token manager, rate gates and emitter, and the outcome decides
// the next visit (cadence by state, Retry-After, backoff with jitter for transient failures). Accounts
// get a proactive token-refresh timer too. Poll progress (dedupe marks, state) is written behind in
// batches; a 501 path drop is written at once.
import type { Clock } from '../../core/clock.ts';
import { OdmError, isOdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { OemAuthApi } from '../oem-types.ts';
import type { DeviceKeys } from '../signing/device-keys.ts';
import type { StatusEmitter } from '../signing/status-emitter.ts';
import { SmartcarPoller } from '../smartcar/smartcar-poller.ts';
import type { SmartcarApi } from '../smartcar/smartcar-api.ts';
import type { AccountRow, ConnectorStore, Oem, VehicleRow } from '../store/connector-store.ts';
import { TeslaPoller } from '../tesla/tesla-poller.ts';
import type { TeslaApi } from '../tesla/tesla-api.ts';
import type { ConnectorSealing } from '../tokens/sealing.ts';
import { TokenManager } from '../tokens/token-manager.ts';
import { OemCaller } from './oem-call.ts';
import type { PollDeps, PollEvent, Poller } from './poller.ts';
import { backoffMs, RateGates, spread } from './rate-gates.ts';
import { Scheduler } from './scheduler.ts';
import { mergeCadence, type Cadence, type PollState, type VehicleRuntime } from './vehicle-state.ts';

export interface ConnectorRuntimeOptions {
  store: ConnectorStore;
  sealing: ConnectorSealing;
  keys: DeviceKeys;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  apis: { tesla?: TeslaApi; smartcar?: SmartcarApi };
  emitter: StatusEmitter;
  cadence?: Parameters<typeof mergeCadence>[0];
  /** Polls at once. Default 256. */
  concurrency?: number;
  /** Real timers (production); tests on a manual clock leave it off and call `runDue()`. */
  realTimers?: boolean;
  /** The owner must be told their OEM login died (activity log). */
  notifyReauth?(account: AccountRow, vehicles: VehicleRow[], reason: string): Promise<void>;
  random?: () => number;
  /** How often poll progress is written (real timers only). Default 5 s. */
  progressFlushMs?: number;
  /** Where the first polls of a starting node are spread over. Default 30 s. */
  startSpreadMs?: number;
}

export interface PollStats {
  runs: number;
  polls: number;
  events: Record<PollEvent, number>;
  outcomes: Record<string, number>;
  /** Poll starts that were late by more than the tolerance. */
  late: number;
  maxLatenessMs: number;
  /** Poll starts by lateness: counts per LATENESS_BUCKETS_MS upper bound (the last is everything above). */
  latenessBuckets: number[];
}

/** Upper bounds (ms) of the lateness histogram in PollStats. */
export const LATENESS_BUCKETS_MS = [10, 100, 500, 1_000, 2_000, 5_000, 10_000, 30_000, Infinity];

const ACCOUNT = 'a:';
const VEHICLE = 'v:';
/** A poll starting later than this after its due time counts as late. */
export const LATE_TOLERANCE_MS = 5_000;

export class ConnectorRuntime {
  readonly o: ConnectorRuntimeOptions;
  readonly cadence: Cadence;
  readonly tokens: TokenManager;
  readonly gates = new RateGates();
  readonly caller: OemCaller;
  readonly scheduler: Scheduler;
  readonly vehicles = new Map<string, VehicleRuntime>();
  readonly #regions = new Map<string, string | null>();
  readonly #pollers: Partial<Record<Oem, Poller>> = {};
  readonly #random: () => number;
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly stats: PollStats = {
    runs: 0, polls: 0, late: 0, maxLatenessMs: 0, outcomes: {}, latenessBuckets: LATENESS_BUCKETS_MS.map(() => 0),
    events: { data_call: 0, state_call: 0, emitted: 0, duplicate: 0, rejected: 0, nothing_new: 0 },
  };
  readonly #count: ((oem: string, outcome: string) => void) | undefined;
  readonly #lateness: ((ms: number) => void) | undefined;

  constructor(options: ConnectorRuntimeOptions) {
    this.o = options;
    this.cadence = mergeCadence(options.cadence);
    this.#random = options.random ?? Math.random;
    const apis: Partial<Record<Oem, OemAuthApi>> = { ...(options.apis.tesla ? { tesla: options.apis.tesla } : {}), ...(options.apis.smartcar ? { smartcar: options.apis.smartcar } : {}) };
    this.tokens = new TokenManager({
      store: options.store, sealing: options.sealing, clock: options.clock, logger: options.logger, apis,
      onDead: (accountId, reason) => this.#accountDead(accountId, reason),
    });
    this.caller = new OemCaller(this.tokens, this.gates, options.clock);
    this.scheduler = new Scheduler({
      clock: options.clock,
      concurrency: options.concurrency ?? 256,
      logger: options.logger,
      run: (key) => this.#run(key),
      onStart: (key, lateness) => {
        if (!key.startsWith(VEHICLE)) return;
        this.stats.runs++;
        if (lateness > LATE_TOLERANCE_MS) this.stats.late++;
        if (lateness > this.stats.maxLatenessMs) this.stats.maxLatenessMs = lateness;
        this.stats.latenessBuckets[LATENESS_BUCKETS_MS.findIndex((b) => lateness <= b)]!++;
        this.#lateness?.(lateness / 1000);
      },
    });
    const deps: PollDeps = {
      clock: options.clock, caller: this.caller, emitter: options.emitter, cadence: this.cadence, logger: options.logger, random: this.#random,
      dropPath: (v, path) => this.#dropPath(v, path),
      regionOf: (accountId) => this.#regions.get(accountId) ?? null,
      fixRegion: (accountId) => this.#fixRegion(accountId),
      count: (e) => {
        this.stats.events[e]++;
      },
    };
    if (options.apis.tesla) this.#pollers.tesla = new TeslaPoller(options.apis.tesla, deps);
    if (options.apis.smartcar) this.#pollers.smartcar = new SmartcarPoller(options.apis.smartcar, deps);
    if (options.metrics) {
      const polls = options.metrics.counter('opendimo_connector_polls_total', 'Connector polls by OEM and outcome', ['oem', 'outcome']);
      this.#count = (oem, outcome) => polls.inc({ oem, outcome });
      const late = options.metrics.histogram('opendimo_connector_poll_lateness_seconds', 'How late polls start after their due time', [], [0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60]);
      this.#lateness = (s) => late.observe(s);
    }
  }

  /** Loads the active connections and schedules them, spread over the first seconds. */
  async start(): Promise<void> {
    const rows = await this.o.store.activeVehicles();
    const now = this.o.clock.now();
    for (const row of rows) await this.add(row, now + spread(this.o.startSpreadMs ?? 30_000, this.#random));
    if (this.o.realTimers) this.launch();
  }

  /**
   * Starts the real timers (and the progress writer). With `spreadMs`, every connection is first
   * rescheduled at a random point of the next `spreadMs` (the bench connects first, then launches).
   */
  launch(spreadMs?: number): void {
    if (spreadMs !== undefined) {
      const now = this.o.clock.now();
      for (const id of this.vehicles.keys()) this.scheduler.schedule(VEHICLE + id, now + spread(spreadMs, this.#random));
    }
    this.scheduler.start();
    if (this.#flushTimer) return;
    const every = this.o.progressFlushMs ?? 5_000;
    const tick = () => {
      this.#flushTimer = setTimeout(() => {
        void this.flushProgress().finally(() => {
          if (this.#flushTimer) tick();
        });
      }, every);
      this.#flushTimer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    await this.scheduler.stop();
    await this.flushProgress();
  }

  /** Runs what is due now (manual clock) and waits for it. */
  runDue(): Promise<number> {
    return this.scheduler.runDue();
  }

  /** Starts polling a connection (its row must be active), first poll at `at` (default now). */
  async add(row: VehicleRow, at = this.o.clock.now()): Promise<void> {
    if (!row.vehicle_token_id || !row.device_token_id) throw new OdmError('ODM_ERR_CONNECTION_STATE', 'the connection has no minted vehicle and device yet');
    if (!this.#pollers[row.oem]) {
      this.o.logger.warn({ connectionId: row.connection_id, oem: row.oem }, 'OEM not configured on this node; connection not polled');
      return;
    }
    if (!this.#regions.has(row.account_id)) {
      const account = await this.o.store.getAccount(row.account_id);
      this.#regions.set(row.account_id, account?.region ?? null);
    }
    const v: VehicleRuntime = {
      connectionId: row.connection_id,
      accountId: row.account_id,
      oem: row.oem,
      oemVehicleId: row.oem_vehicle_id,
      owner: row.owner,
      target: { vehicleTokenId: row.vehicle_token_id, deviceTokenId: row.device_token_id, devicePath: row.device_path },
      state: 'unknown',
      lastDataCallAt: 0,
      lastEmitted: parseJson<Record<string, number>>(row.last_emitted, {}),
      dropped: new Set(parseJson<string[]>(row.dropped_paths, [])),
      failures: 0,
      lastDataAt: row.last_data_at,
      dirty: false,
    };
    this.vehicles.set(row.connection_id, v);
    this.scheduler.schedule(VEHICLE + row.connection_id, at);
    if (!this.scheduler.has(ACCOUNT + row.account_id)) this.scheduler.schedule(ACCOUNT + row.account_id, at);
  }

  /** Stops polling a connection (pause, disconnect, reauth). */
  async remove(connectionId: string): Promise<void> {
    const v = this.vehicles.get(connectionId);
    this.scheduler.cancel(VEHICLE + connectionId);
    if (!v) return;
    this.vehicles.delete(connectionId);
    this.gates.forgetVehicle(connectionId);
    if (v.dirty) await this.#save([v]);
    if (![...this.vehicles.values()].some((x) => x.accountId === v.accountId)) this.scheduler.cancel(ACCOUNT + v.accountId);
  }

  /** Tesla: the regional host of an account (na/eu). */
  async regionOf(accountId: string): Promise<string | null> {
    if (!this.#regions.has(accountId)) this.#regions.set(accountId, (await this.o.store.getAccount(accountId))?.region ?? null);
    return this.#regions.get(accountId) ?? null;
  }

  /** What the owner sees of a polled connection. */
  pollState(connectionId: string): { state: PollState; lastDataAt: number | null; nextPollAt: number | undefined } | undefined {
    const v = this.vehicles.get(connectionId);
    if (!v) return undefined;
    return { state: v.state, lastDataAt: v.lastDataAt, nextPollAt: this.scheduler.dueOf(VEHICLE + connectionId) };
  }

  async flushProgress(): Promise<void> {
    const run = this.#flushing.then(() => this.#save([...this.vehicles.values()].filter((v) => v.dirty)));
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  async #save(list: VehicleRuntime[]): Promise<void> {
    if (list.length === 0) return;
    const now = this.o.clock.now();
    for (const v of list) v.dirty = false;
    try {
      await this.o.store.savePollProgress(list.map((v) => ({ connectionId: v.connectionId, lastEmitted: JSON.stringify(v.lastEmitted), pollState: v.state, lastDataAt: v.lastDataAt, now })));
    } catch (err) {
      for (const v of list) v.dirty = true;
      this.o.logger.warn({ err }, 'could not save poll progress; will retry');
    }
  }

  async #run(key: string): Promise<number | undefined> {
    if (key.startsWith(ACCOUNT)) return this.#refreshAccount(key.slice(ACCOUNT.length));
    const v = this.vehicles.get(key.slice(VEHICLE.length));
    if (!v) return undefined;
    const poller = this.#pollers[v.oem]!;
    this.stats.polls++;
    try {
      const next = await poller.poll(v);
      this.#outcome(v.oem, 'ok');
      return next;
    } catch (err) {
      return this.#failed(v, err);
    }
  }

  #failed(v: VehicleRuntime, err: unknown): number | undefined {
    const now = this.o.clock.now();
    const e = isOdmError(err) ? err : undefined;
    this.#outcome(v.oem, e?.code ?? 'error');
    if (e?.code === 'ODM_ERR_OEM_RATE_LIMITED') {
      const until = Number(e.details.until ?? now + 60_000);
      // Spread the vehicles an app-wide limit stopped together over their reopening.
      return until + (e.details.scope === 'app' ? spread(10_000, this.#random) : 0);
    }
    if (e?.code === 'ODM_ERR_OEM_REAUTH_REQUIRED' || e?.code === 'ODM_ERR_CONNECTION_STATE' || e?.code === 'ODM_ERR_CONNECTION_NOT_FOUND') {
      this.vehicles.delete(v.connectionId);
      return undefined;
    }
    v.failures++;
    if (!e?.retryable) this.o.logger.warn({ err, connectionId: v.connectionId, oem: v.oem }, 'connector poll failed');
    else this.o.logger.debug({ code: e.code, connectionId: v.connectionId, oem: v.oem, failures: v.failures }, 'connector poll failed; retrying with backoff');
    return now + backoffMs(v.failures, this.cadence.retry.baseMs, this.cadence.retry.capMs, this.#random);
  }

  #outcome(oem: string, outcome: string): void {
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
    this.#count?.(oem, outcome);
  }

  async #refreshAccount(accountId: string): Promise<number | undefined> {
    try {
      return await this.tokens.refreshIfDue(accountId);
    } catch (err) {
      if (isOdmError(err) && (err.code === 'ODM_ERR_OEM_REAUTH_REQUIRED' || err.code === 'ODM_ERR_CONNECTION_STATE' || err.code === 'ODM_ERR_CONNECTION_NOT_FOUND')) return undefined;
      return this.o.clock.now() + backoffMs(2, this.cadence.retry.baseMs, this.cadence.retry.capMs, this.#random);
    }
  }

  async #dropPath(v: VehicleRuntime, path: string): Promise<void> {
    if (v.dropped.has(path)) return;
    v.dropped.add(path);
    this.o.logger.info({ connectionId: v.connectionId, oem: v.oem, path }, 'vehicle is not capable of this path; not asking again');
    await this.o.store.updateVehicle(v.connectionId, { dropped_paths: JSON.stringify([...v.dropped].sort()), updated_at: this.o.clock.now() });
  }

  async #fixRegion(accountId: string): Promise<void> {
    const api = this.o.apis.tesla;
    if (!api) return;
    const info = await api.account(await this.tokens.access(accountId));
    if (info.region) {
      this.#regions.set(accountId, info.region);
      await this.o.store.setAccountRegion(accountId, info.region, this.o.clock.now());
    }
  }

  /** The account's refresh token died: stop its vehicles, mark them, tell the owner. */
  async #accountDead(accountId: string, reason: string): Promise<void> {
    const now = this.o.clock.now();
    // Paused connections stay paused (the owner resumes them after logging in again).
    const rows = (await this.o.store.vehiclesOfAccount(accountId)).filter((r) => r.state === 'active');
    for (const r of rows) {
      await this.remove(r.connection_id);
      await this.o.store.updateVehicle(r.connection_id, { state: 'reauth_required', state_reason: reason, updated_at: now });
    }
    this.scheduler.cancel(ACCOUNT + accountId);
    const account = await this.o.store.getAccount(accountId);
    if (account) await this.o.notifyReauth?.(account, rows, reason).catch((err: unknown) => this.o.logger.warn({ err, accountId }, 'could not record the reauth notice'));
  }
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
