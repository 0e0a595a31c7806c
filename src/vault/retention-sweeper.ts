// Enforces owners' retention (retention.ts): deletes, in bounded batches, the hour chunks (samples,
// rollups, event archive) of the owner's vehicles that lie wholly before the owner's window, their
// location chunks, and latest-value records with nothing newer left. On PostgreSQL it first keeps the
// monthly partitions ahead of need (ensurePartitions) and drops whole chunk partitions older than the
// longest retention in use, when every owner holding vault data has one. Leader-only: run it with
// whileLeader (startRetention returns the stop handle).
//
// Location chunks carry no time and no vehicle by design. A chunk goes when its keyed hour tag is one of
// the hours between the cutoff and `maxEventAgeDays` (+1 day) before it — compaction accepts no event
// older than that, so a chunk compacted later than the cutoff holds nothing older — or when its segment
// id (which starts with the compaction time) shows it was compacted more than a day before the cutoff.
// A latest-value record is dropped whole once the epoch has no chunk inside the window; one signal's
// stale latest value beside fresh ones stays until then (pruning inside it would need the data key).
import type { ActivityLog } from '../activity/activity-log.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import { dropPartitionsBefore, ensurePartitions, PARTITIONED_TABLES } from './partitions.ts';
import { CHUNK_MS, chunkStartOf, type Pseudonyms } from './pseudonyms.ts';
import { RetentionSettings } from './retention.ts';

const DAY_MS = 86_400_000;
const PAGE = 400;

export interface RetentionOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Between sweeps; default one hour. */
  intervalMs?: number;
  /** Chunk rows per delete statement; default 500. */
  batchSize?: number;
  /** For the location stream of each epoch; without it location chunks are left alone. */
  pseudonyms?: Pseudonyms;
  /** The oldest event age compaction accepts (the ingest dedup window); default 30. */
  maxEventAgeDays?: number;
  /**
   * Runs each vehicle epoch's deletes between compaction runs (pass `fn => vault.compactor.exclusive(fn)`),
   * so a compaction merging into a latest record cannot bring back one the sweep just deleted.
   */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where deletions are recorded for the owner; absent or throwing: not recorded (logged). */
  activity?: () => ActivityLog | undefined;
}

export interface RetentionReport {
  owners: number;
  chunks: number;
  events: number;
  locationChunks: number;
  latest: number;
  partitionsDropped: string[];
  partitionsCreated: string[];
}

export interface RetentionHandle {
  sweepOnce(): Promise<RetentionReport>;
  stop(): Promise<void>;
}

/** Base-36 compaction-time prefix of location segment ids (compactor.ts). */
function segPrefix(ms: number): string {
  return Math.max(0, ms).toString(36).padStart(9, '0');
}

const tick = () => new Promise((r) => setImmediate(r));

export class RetentionSweeper {
  readonly #o: RetentionOptions;
  readonly #settings: RetentionSettings;
  readonly #batch: number;

  constructor(options: RetentionOptions) {
    this.#o = options;
    this.#settings = new RetentionSettings(options.store, options.clock);
    this.#batch = options.batchSize ?? 500;
  }

  async sweepOnce(): Promise<RetentionReport> {
    const { store, clock } = this.#o;
    const now = clock.now();
    const report: RetentionReport = { owners: 0, chunks: 0, events: 0, locationChunks: 0, latest: 0, partitionsDropped: [], partitionsCreated: [] };
    report.partitionsCreated = await ensurePartitions(store.db, now);
    const settings = await this.#settings.all();
    if (settings.size === 0) return report;
    report.partitionsDropped = await this.#dropWholePartitions(settings, now);

    for (const [owner, days] of settings) {
      const cutoff = chunkStartOf(now - days * DAY_MS);
      const epochs = await store.db.selectFrom('vault_keys').select(['vehicle_id', 'owner_version']).distinct()
        .where('kind', '=', 'vehicle').where((eb) => eb(eb.fn('lower', ['owner']), '=', owner)).execute();
      let touched = false;
      for (const e of epochs) {
        if (e.vehicle_id === null || e.owner_version === null) continue;
        const vehicleId = e.vehicle_id;
        const version = e.owner_version;
        const sweep = () => this.#sweepEpoch(vehicleId, version, cutoff);
        const r = await (this.#o.exclusive ? this.#o.exclusive(sweep) : sweep());
        report.chunks += r.chunks;
        report.events += r.events;
        report.locationChunks += r.locationChunks;
        report.latest += r.latest;
        if (r.chunks + r.locationChunks + r.latest === 0) continue;
        touched = true;
        await this.#record(owner, e.vehicle_id, days, cutoff, r);
      }
      if (touched) report.owners++;
    }
    if (report.chunks + report.locationChunks + report.latest > 0 || report.partitionsDropped.length > 0) {
      this.#o.logger.info({ owners: report.owners, chunks: report.chunks, locationChunks: report.locationChunks, latest: report.latest, partitions: report.partitionsDropped.length }, 'retention sweep deleted expired telemetry');
    }
    return report;
  }

  /** PostgreSQL: whole months older than the longest retention, if every owner with vault data has one. */
  async #dropWholePartitions(settings: Map<string, number>, now: number): Promise<string[]> {
    const { store } = this.#o;
    if (store.dialect !== 'postgres') return [];
    const owners = await store.db.selectFrom('vault_keys').select('owner').distinct().where('kind', '=', 'vehicle').execute();
    let longest = 0;
    for (const o of owners) {
      const days = o.owner === null ? undefined : settings.get(o.owner.toLowerCase());
      if (days === undefined) return [];
      longest = Math.max(longest, days);
    }
    if (longest === 0) return [];
    const spec = PARTITIONED_TABLES.find((t) => t.table === 'vault_chunks')!;
    return dropPartitionsBefore(store.db, spec, chunkStartOf(now - longest * DAY_MS));
  }

  async #sweepEpoch(vehicleId: string, version: number, cutoff: number): Promise<{ chunks: number; events: number; locationChunks: number; latest: number }> {
    const { db } = this.#o.store;
    let chunks = 0;
    let events = 0;
    for (;;) {
      const rows = await db.selectFrom('vault_chunks').select(['seg_id', 'n_events'])
        .where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).where('chunk_start', '<', cutoff)
        .limit(this.#batch).execute();
      if (rows.length === 0) break;
      // chunk_start in the delete too, so PostgreSQL only visits the partitions before the cutoff.
      const r = await db.deleteFrom('vault_chunks').where('seg_id', 'in', rows.map((x) => x.seg_id)).where('chunk_start', '<', cutoff).executeTakeFirst();
      chunks += Number(r.numDeletedRows);
      events += rows.reduce((n, x) => n + x.n_events, 0);
      if (rows.length < this.#batch) break;
      await tick();
    }
    const latest = Number((await db.deleteFrom('vault_latest').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('vault_chunks').select('seg_id')
        .where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).where('chunk_start', '>=', cutoff))))
      .executeTakeFirst()).numDeletedRows);
    const locationChunks = await this.#sweepLocation(vehicleId, version, cutoff);
    return { chunks, events, locationChunks, latest };
  }

  async #sweepLocation(vehicleId: string, version: number, cutoff: number): Promise<number> {
    const { pseudonyms, store } = this.#o;
    if (!pseudonyms) return 0;
    const db = store.db;
    const streamId = pseudonyms.streamId(vehicleId, version);
    let n = 0;
    // Compacted well before the cutoff: everything in it is older (events are never far in the future).
    for (;;) {
      const rows = await db.selectFrom('vault_location_chunks').select('seg_id').where('stream_id', '=', streamId)
        .where('seg_id', '<', segPrefix(cutoff - DAY_MS)).limit(this.#batch).execute();
      if (rows.length === 0) break;
      n += Number((await db.deleteFrom('vault_location_chunks').where('seg_id', 'in', rows.map((r) => r.seg_id)).executeTakeFirst()).numDeletedRows);
      if (rows.length < this.#batch) break;
      await tick();
    }
    // Compacted later, but about an hour before the cutoff: those hours' tags.
    const lookback = ((this.#o.maxEventAgeDays ?? 30) + 2) * DAY_MS;
    const tags: string[] = [];
    for (let h = chunkStartOf(cutoff - lookback); h < cutoff; h += CHUNK_MS) tags.push(pseudonyms.chunkTag(streamId, h));
    for (let i = 0; i < tags.length; i += PAGE) {
      n += Number((await db.deleteFrom('vault_location_chunks').where('stream_id', '=', streamId).where('chunk_tag', 'in', tags.slice(i, i + PAGE)).executeTakeFirst()).numDeletedRows);
    }
    await db.deleteFrom('vault_location_latest').where('stream_id', '=', streamId)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('vault_location_chunks').select('seg_id').where('stream_id', '=', streamId))))
      .execute();
    return n;
  }

  async #record(owner: string, vehicleId: string, days: number, cutoff: number, r: { chunks: number; events: number; locationChunks: number; latest: number }): Promise<void> {
    try {
      const log = this.#o.activity?.();
      await log?.append({
        owner, kind: 'delete', vehicleId,
        detail: { what: 'retention', days, before: cutoff, chunks: r.chunks, events: r.events, locationChunks: r.locationChunks, latestCleared: r.latest > 0 },
      });
    } catch (err) {
      this.#o.logger.warn({ err }, 'retention deletion not recorded in the activity log');
    }
  }
}

/**
 * Sweeps now and then every `intervalMs` (default one hour) until stopped; sweeps never overlap. Call it
 * where the leader starts its singleton jobs (whileLeader); it also keeps the partitions ahead of need.
 */
export function startRetention(options: RetentionOptions): RetentionHandle {
  const sweeper = new RetentionSweeper(options);
  const interval = options.intervalMs ?? 3_600_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const sweepOnce = () => {
    const run = running.catch(() => undefined).then(() => sweeper.sweepOnce());
    running = run.catch(() => undefined);
    return run;
  };
  const loop = () => {
    if (stopped) return;
    sweepOnce()
      .catch((err: unknown) => options.logger.warn({ err }, 'retention sweep failed; retrying next interval'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, interval);
      });
  };
  loop();
  return {
    sweepOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
