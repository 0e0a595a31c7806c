// Fans stored telemetry out to live subscribers. One bus subscription (`telemetry.*`) serves every
// stream: a batch for a vehicle nobody watches costs one map lookup and is never decoded. Each stream is
// checked again — license gate, consent for privilege 6, token expiry, owner epoch — on every batch, on
// every mirror commit (so a revocation, transfer or license suspension closes it as soon as the node
// sees the block), at the moment its grant or token expires (a timer), and by a once-a-second sweep.
import { randomUUID } from 'node:crypto';
import type { ActivityLog } from '../activity/activity-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../core/clock.ts';
import { OdmError, toOdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { TelemetryEvent } from '../ingest/pipeline/stored-telemetry.ts';
import type { AccessGrant, AppAccess } from './app-access.ts';
import { authRequired, type AppAuth, type VehicleTokenClaims } from './app-auth.ts';
import { LiveStream, type StreamEnd } from './live-stream.ts';
import { buildUpdate, LIVE_PRIVILEGE, viewKey, viewOf, type LiveUpdate, type LiveView } from './live-update.ts';

export interface LiveFilter {
  /** Catalogue signal names; empty or absent means every readable signal. */
  names?: readonly string[] | null;
  source?: string | null;
}

export interface LiveOpenRequest {
  token: string | undefined;
  /** Claims already verified (by the GraphQL server's connection_init); then `token` is not needed. */
  claims?: VehicleTokenClaims;
  tokenId: number;
  filter?: LiveFilter | null;
}

export interface LiveHubOptions {
  bus: Bus;
  access: AppAccess;
  auth: AppAuth;
  catalog: SignalCatalog;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** The activity log, when the node runs one (looked up per use: it may start after the hub). */
  activity?: () => ActivityLog | undefined;
  /** Updates a stream may have queued before it is dropped as a slow consumer. Default 1024. */
  bufferSize?: number;
  maxStreams?: number;
  maxStreamsPerLicense?: number;
  /** Safety sweep over every stream. Default 1000 ms. */
  sweepMs?: number;
}

interface Entry {
  id: string;
  key: string;
  vehicleId: bigint;
  claims: VehicleTokenClaims;
  filter: LiveFilter;
  grant: AccessGrant;
  ownerVersion: number;
  privileges: number[];
  view: LiveView;
  viewKey: string;
  stream: LiveStream<LiveUpdate>;
  timer: NodeJS.Timeout | undefined;
  openedAt: number;
}

interface StoredBatch {
  vehicleTokenId: string;
  ownerVersion: number;
  events: TelemetryEvent[];
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class LiveHub {
  readonly #o: LiveHubOptions;
  readonly #log: Logger;
  readonly #byVehicle = new Map<string, Set<Entry>>();
  readonly #entries = new Set<Entry>();
  readonly #perLicense = new Map<string, number>();
  readonly #bufferSize: number;
  #offBus: (() => void) | undefined;
  #offAccess: (() => void) | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #gauge;
  readonly #updates;
  readonly #closed;

  constructor(options: LiveHubOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'live' });
    this.#bufferSize = options.bufferSize ?? 1024;
    this.#gauge = options.metrics?.gauge('opendimo_live_streams', 'Open live telemetry streams');
    this.#updates = options.metrics?.counter('opendimo_live_updates_total', 'Live updates queued to subscribers');
    this.#closed = options.metrics?.counter('opendimo_live_closed_total', 'Live streams closed, by reason', ['reason']);
  }

  start(): void {
    this.#offBus = this.#o.bus.subscribe('telemetry.*', (payload) => this.#onBatch(payload as StoredBatch));
    this.#offAccess = this.#o.access.onChange(() => this.#recheckAll());
    this.#sweep = setInterval(() => this.#recheckAll(), this.#o.sweepMs ?? 1000);
    this.#sweep.unref();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Authenticates, authorizes and registers a stream; throws the refusal as an OdmError. */
  async open(request: LiveOpenRequest): Promise<LiveStream<LiveUpdate>> {
    if (this.#stopped) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the node is stopping');
    if (!request.token && !request.claims) throw authRequired('a live stream');
    if (!Number.isSafeInteger(request.tokenId) || request.tokenId < 0) throw new OdmError('ODM_ERR_VALIDATION', 'tokenId must be a vehicle token id', { status: 400 });
    const filter = this.#validFilter(request.filter ?? {});
    const claims = request.claims ?? (await this.#o.auth.verifyVehicleToken(request.token!));
    const vehicleId = BigInt(request.tokenId);
    if (claims.vehicleId !== vehicleId) {
      throw new OdmError('ODM_ERR_LIVE_TOKEN_MISMATCH', `the vehicle token is for vehicle ${claims.vehicleId}, not ${vehicleId}`, { details: { tokenId: request.tokenId } });
    }
    if (!claims.privileges.includes(LIVE_PRIVILEGE)) {
      throw new OdmError('ODM_ERR_PRIVILEGE_NOT_IN_TOKEN', 'the vehicle token does not carry privilege 6 (live data); exchange a token that asks for it', { details: { missing: [LIVE_PRIVILEGE] } });
    }
    const now = this.#o.clock.now();
    if (claims.exp * 1000 <= now) throw tokenExpired();
    const grant = this.#o.access.authorize({ licenseId: claims.licenseId, grantee: claims.grantee, vehicleId, privileges: [LIVE_PRIVILEGE] });
    const ownerVersion = this.#o.access.vehicle(vehicleId)?.version ?? 0;
    if (this.#entries.size >= (this.#o.maxStreams ?? 10_000)) throw new OdmError('ODM_ERR_LIVE_LIMIT', 'this node serves as many live streams as it can; try again later', { retryable: true });
    const perLicense = this.#perLicense.get(grant.licenseId) ?? 0;
    if (perLicense >= (this.#o.maxStreamsPerLicense ?? 1_000)) throw new OdmError('ODM_ERR_LIVE_LIMIT', `license ${grant.licenseId} has ${perLicense} live streams open, its limit`, { details: { open: perLicense } });

    const privileges = this.#effective(claims, vehicleId);
    const view = viewOf(privileges, filter);
    const key = vehicleId.toString();
    const entry: Entry = {
      id: randomUUID(), key, vehicleId, claims, filter, grant, ownerVersion, privileges, view, viewKey: viewKey(view),
      stream: new LiveStream<LiveUpdate>(this.#bufferSize, (end) => this.#ended(entry, end)), timer: undefined, openedAt: now,
    };
    this.#entries.add(entry);
    this.#perLicense.set(grant.licenseId, perLicense + 1);
    let set = this.#byVehicle.get(key);
    if (!set) this.#byVehicle.set(key, (set = new Set()));
    set.add(entry);
    this.#gauge?.set(this.#entries.size);
    this.#schedule(entry);
    this.#record(entry, { event: 'open', streamId: entry.id, location: view.location, signals: view.nonLocation ? 'all' : 'none' });
    this.#log.debug({ streamId: entry.id, vehicleId: key, licenseId: grant.licenseId }, 'live stream opened');
    return entry.stream;
  }

  /** Ends every stream (clients are told the node is stopping) and stops listening. */
  stop(): void {
    this.#stopped = true;
    this.#offBus?.();
    this.#offAccess?.();
    if (this.#sweep) clearInterval(this.#sweep);
    for (const entry of [...this.#entries]) entry.stream.fail(new OdmError('ODM_ERR_UNAVAILABLE', 'the node is stopping; reconnect', { retryable: true }));
  }

  #validFilter(filter: LiveFilter): LiveFilter {
    const names = filter.names ?? undefined;
    if (names) {
      if (names.length > 256) throw new OdmError('ODM_ERR_VALIDATION', 'filter.names lists at most 256 signals', { status: 400 });
      const unknown = names.filter((n) => !this.#o.catalog.byName.has(n));
      if (unknown.length > 0) throw new OdmError('ODM_ERR_VALIDATION', `unknown signal name${unknown.length > 1 ? 's' : ''}: ${unknown.slice(0, 10).join(', ')}`, { status: 400, details: { unknown: unknown.slice(0, 10) } });
    }
    const source = filter.source ?? undefined;
    if (source !== undefined && (typeof source !== 'string' || source.length > 256)) throw new OdmError('ODM_ERR_VALIDATION', 'filter.source must be a short string', { status: 400 });
    return { ...(names ? { names } : {}), ...(source !== undefined ? { source } : {}) };
  }

  /** Privileges the stream may use now: what the token carries and the owner still grants. */
  #effective(claims: VehicleTokenClaims, vehicleId: bigint): number[] {
    const held = this.#o.access.held(claims.grantee, vehicleId);
    return claims.privileges.filter((p) => held.includes(p));
  }

  /** Re-decides one stream; closes it when it may no longer run. True when it stays open. */
  #recheck(entry: Entry): boolean {
    if (entry.stream.closed) return false;
    try {
      if (entry.claims.exp * 1000 <= this.#o.clock.now()) throw tokenExpired();
      const vehicle = this.#o.access.vehicle(entry.vehicleId);
      if (!vehicle || vehicle.version !== entry.ownerVersion) {
        throw new OdmError('ODM_ERR_VEHICLE_TRANSFERRED', `vehicle ${entry.vehicleId} changed hands; its grants ended with the transfer`, { status: 403 });
      }
      entry.grant = this.#o.access.authorize({ licenseId: entry.claims.licenseId, grantee: entry.claims.grantee, vehicleId: entry.vehicleId, privileges: [LIVE_PRIVILEGE] });
      const privileges = this.#effective(entry.claims, entry.vehicleId);
      if (privileges.join() !== entry.privileges.join()) {
        entry.privileges = privileges;
        entry.view = viewOf(privileges, entry.filter);
        entry.viewKey = viewKey(entry.view);
      }
      return true;
    } catch (err) {
      entry.stream.fail(toOdmError(err));
      return false;
    }
  }

  #recheckAll(): void {
    for (const entry of [...this.#entries]) if (this.#recheck(entry)) this.#schedule(entry);
  }

  /** A timer at the next moment the stream's token or one of its grants expires. */
  #schedule(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    const now = this.#o.clock.now();
    const grantEnd = this.#o.access.nextExpiry(entry.claims.grantee, entry.vehicleId) ?? Infinity;
    const at = Math.min(entry.claims.exp * 1000, grantEnd);
    const delay = Math.min(Math.max(at - now + 1, 0), MAX_TIMER_MS);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#recheck(entry)) this.#schedule(entry);
    }, delay);
    entry.timer.unref();
  }

  #onBatch(batch: StoredBatch): void {
    const set = this.#byVehicle.get(batch.vehicleTokenId);
    if (!set || set.size === 0) return;
    const events = batch.events;
    // Streams with the same view share one build of the updates.
    const built = new Map<string, LiveUpdate[]>();
    for (const entry of set) {
      if (!this.#recheck(entry)) continue;
      if (batch.ownerVersion !== entry.ownerVersion) continue;
      let updates = built.get(entry.viewKey);
      if (!updates) {
        updates = [];
        const tokenId = Number(entry.vehicleId);
        for (const e of events) {
          const u = buildUpdate(tokenId, e, entry.view, this.#o.catalog);
          if (u) updates.push(u);
        }
        built.set(entry.viewKey, updates);
      }
      for (const u of updates) entry.stream.push(u);
      this.#updates?.inc(updates.length);
    }
  }

  #ended(entry: Entry, end: StreamEnd): void {
    if (!this.#entries.delete(entry)) return;
    if (entry.timer) clearTimeout(entry.timer);
    const set = this.#byVehicle.get(entry.key);
    set?.delete(entry);
    if (set && set.size === 0) this.#byVehicle.delete(entry.key);
    const n = (this.#perLicense.get(entry.grant.licenseId) ?? 1) - 1;
    if (n > 0) this.#perLicense.set(entry.grant.licenseId, n);
    else this.#perLicense.delete(entry.grant.licenseId);
    this.#gauge?.set(this.#entries.size);
    const reason = end.error?.code ?? end.reason;
    this.#closed?.inc({ reason });
    this.#record(entry, { event: 'close', streamId: entry.id, reason, updates: end.delivered, seconds: Math.round((this.#o.clock.now() - entry.openedAt) / 1000) });
    this.#log.debug({ streamId: entry.id, vehicleId: entry.key, reason }, 'live stream closed');
  }

  #record(entry: Entry, detail: Record<string, unknown>): void {
    let log: ActivityLog | undefined;
    try {
      log = this.#o.activity?.();
    } catch {
      log = undefined;
    }
    if (!log) return;
    log
      .append({
        owner: entry.grant.owner,
        kind: 'stream',
        vehicleId: entry.vehicleId,
        app: { licenseId: entry.grant.licenseId, address: entry.grant.grantee, name: entry.grant.appName },
        privileges: entry.privileges,
        detail,
      })
      .catch((err: unknown) => this.#log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record a live stream in the activity log'));
  }
}

function tokenExpired(): OdmError {
  return new OdmError('ODM_ERR_TOKEN_INVALID', 'the vehicle token expired; subscribe again with a fresh token', { details: { reason: 'expired' } });
}
