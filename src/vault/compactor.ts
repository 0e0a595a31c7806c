// Compaction: turns append-log rows into the vault's long-lived form, per vehicle and owner epoch:
// hour chunks (samples, per-signal rollups, the event archive) and a latest-value record, each under the
// vehicle's data key; and per location stream: hour chunks of points and location scalars and a latest
// point, under the stream's key. One transaction reads a run of log rows, writes everything derived from
// them and deletes them, so a crash at any point leaves each event either in the log or compacted.
import { randomBytes } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { open, seal } from './aead.ts';
import { locationKeyRef, vehicleKeyRef, type DataKeys, type KeySpec, type PreparedKeys } from './data-keys.ts';
import { logAad } from './event-log.ts';
import type { Keyring } from './keyring.ts';
import { publishKeyring } from './keyring-sync.ts';
import { decodeBatch, type LogEvent } from './log-record.ts';
import { groupByVehicleEpoch } from './compaction-groups.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import {
  aad, type LatestRecord, type LocationChunkRecord, type LocationLatestRecord, type RollupsRecord, type SamplesRecord,
} from './records.ts';
import { dropPartitionsBefore, ensurePartitions, PARTITIONED_TABLES } from './partitions.ts';
import { rollupOf, sortSeries } from './rollups.ts';
import { vaultSql, type VaultSql } from './vault-sql.ts';

export interface CompactorOptions {
  store: Store;
  keyring: Keyring;
  dataKeys: DataKeys;
  pseudonyms: Pseudonyms;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Events per compaction run; default 5,000 (many events per vehicle per run is what makes it cheap; fewer bound its memory). */
  maxEventsPerRun?: number;
  /** A new log-epoch key after this long; default one hour. */
  logEpochMs?: number;
  /** Duplicate hashes are kept this many days (the oldest event time accepted). */
  dedupRetentionDays: number;
}

const PAGE = 400;

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export class Compactor {
  readonly #o: CompactorOptions;
  readonly #compacted: Counter<string> | undefined;
  #lastPrune = 0;
  #running: Promise<unknown> | undefined;
  /** Events compacted by this process (for the compaction trigger). */
  compacted = 0;

  constructor(options: CompactorOptions) {
    this.#o = options;
    this.#compacted = options.metrics?.counter('opendimo_vault_compacted_events_total', 'Events moved from the append log into chunks');
  }

  /** One compaction run; resolves with the number of events compacted (0: log empty). Serialised. */
  compactOnce(maxEpoch?: number): Promise<number> {
    return this.exclusive(() => this.#run(maxEpoch));
  }

  /** Runs `fn` between compaction runs, never during one (the shredder's deletes need this). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = (this.#running ?? Promise.resolve(0)).catch(() => 0).then(fn);
    this.#running = run.then(() => 0, () => 0);
    return run;
  }

  /** Compacts until no log row (of an epoch ≤ maxEpoch, when given) is left. */
  async drain(maxEpoch?: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.compactOnce(maxEpoch);
      if (n === 0) return total;
      total += n;
    }
  }

  /** Starts a new log epoch when the current one is old, erases epochs with no rows left, prunes old hashes. */
  async maintain(): Promise<void> {
    const { keyring, clock, store } = this.#o;
    const now = clock.now();
    if (now - keyring.logKeyCreatedAt() > (this.#o.logEpochMs ?? 3_600_000)) {
      keyring.startLogEpoch(now);
      // Other processes reload the keyring before sealing log rows under an epoch that may be erased.
      if (store.dialect === 'postgres') await store.db.transaction().execute((trx) => publishKeyring(trx, keyring, now));
    }
    const current = keyring.logKey().epoch;
    const old = keyring.logEpochs().filter((e) => e !== current);
    if (old.length > 0) {
      const used = await store.db.selectFrom('vault_log').select('epoch').distinct().where('epoch', 'in', old).execute();
      const inUse = new Set(used.map((r) => r.epoch));
      for (const e of old) if (!inUse.has(e)) keyring.dropLogEpoch(e);
    }
    if (now - this.#lastPrune > 3_600_000) {
      this.#lastPrune = now;
      const cutoff = Math.floor(now / 86_400_000) - this.#o.dedupRetentionDays - 1;
      // PostgreSQL: months ahead of need exist before writes reach them (DEFAULT would catch them, but
      // moving rows out of it later is slow); whole months of hashes go by dropping their partition.
      await ensurePartitions(store.db, now);
      await dropPartitionsBefore(store.db, PARTITIONED_TABLES.find((t) => t.table === 'ingest_dedup')!, cutoff * 86_400_000);
      await store.db.deleteFrom('ingest_dedup').where('day', '<', cutoff).execute();
    }
  }

  async #run(maxEpoch: number | undefined): Promise<number> {
    let n = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        n = this.#o.store.sqlite ? await this.#runSqlite(maxEpoch) : await this.#runInTransaction(maxEpoch);
        break;
      } catch (err) {
        // A data key created concurrently (privacy settings) won the insert: redo the run with it.
        if (!(err instanceof OdmError && err.code === 'ODM_ERR_KEY_RACE') || attempt >= 3) throw err;
      }
    }
    if (n > 0) {
      this.compacted += n;
      this.#compacted?.inc(n);
    }
    return n;
  }

  /** PostgreSQL (and any store without the SQLite handle): everything in one transaction. */
  async #runInTransaction(maxEpoch: number | undefined): Promise<number> {
    const { store } = this.#o;
    return store.db.transaction().execute(async (trx) => {
      const rows = await this.#readLog(trx, maxEpoch, store.dialect === 'postgres');
      if (rows.length === 0) return 0;
      const events = this.#decode(rows);
      const sql = vaultSql(store, trx);
      const built = await this.#build(sql, events, async (fn) => fn());
      await this.#persist(sql, built);
      await this.#deleteLog(trx, rows.map((r) => r.id));
      return events.length;
    });
  }

  /**
   * SQLite: SQLite has one writer and it shares the event loop with ingest, so the reading, decrypting,
   * grouping and encrypting happen outside any transaction (yielding to other work every few
   * milliseconds) and only the writes take the write lock, in one short transaction. Only the
   * compactor writes these rows and its runs are serialised, so nothing changes between the phases.
   */
  async #runSqlite(maxEpoch: number | undefined): Promise<number> {
    const { store } = this.#o;
    // Holding the connection (not in a transaction) so the raw statements cannot land in someone else's.
    const withConnection = <T>(fn: () => Promise<T>) => store.db.connection().execute(fn);
    const rows = await store.db.connection().execute((conn) => this.#readLog(conn, maxEpoch, false));
    if (rows.length === 0) return 0;
    const events = this.#decode(rows);
    await new Promise((r) => setImmediate(r));
    const built = await this.#build(vaultSql(store, store.db), events, withConnection);
    await store.db.transaction().execute(async (trx) => {
      await this.#persist(vaultSql(store, trx), built);
      await this.#deleteLog(trx, rows.map((r) => r.id));
    });
    return events.length;
  }

  async #readLog(db: Kysely<Database>, maxEpoch: number | undefined, lock: boolean): Promise<Array<{ id: number; epoch: number; ct: Buffer }>> {
    const max = this.#o.maxEventsPerRun ?? 5_000;
    // Choose rows by their event counts first, then read only their ciphertext.
    let q = db.selectFrom('vault_log').select(['id', 'n_events']).orderBy('id').limit(256);
    if (maxEpoch !== undefined) q = q.where('epoch', '<=', maxEpoch);
    if (lock) q = q.forUpdate().skipLocked();
    const heads = await q.execute();
    if (heads.length === 0) return [];
    const chosen: number[] = [];
    let events = 0;
    for (const r of heads) {
      if (chosen.length > 0 && events + r.n_events > max) break;
      chosen.push(r.id);
      events += r.n_events;
    }
    return db.selectFrom('vault_log').select(['id', 'epoch', 'ct']).where('id', 'in', chosen).orderBy('id').execute();
  }

  #decode(rows: Array<{ id: number; epoch: number; ct: Buffer }>): LogEvent[] {
    const decoded: LogEvent[] = [];
    for (const r of rows) {
      const key = this.#o.keyring.logKeyFor(r.epoch);
      if (!key) throw new OdmError('ODM_ERR_VAULT_KEYRING', `append-log row ${r.id} is under log epoch ${r.epoch}, whose key is not in the keyring`);
      const { names, events } = decodeBatch(open(key, r.ct, logAad(r.epoch)).toString('utf8'));
      for (const e of events) {
        e.samples = renameSamples(e.samples, names);
        e.locationSamples = renameSamples(e.locationSamples, names);
        decoded.push(e);
      }
    }
    return decoded;
  }

  async #deleteLog(trx: Transaction<Database>, ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += PAGE) await trx.deleteFrom('vault_log').where('id', 'in', ids.slice(i, i + PAGE)).execute();
  }

  /**
   * Everything the run will write, computed from the events: data keys (new ones prepared, not yet
   * stored), chunk segments, merged latest records. `read` wraps the lookups (on SQLite they must hold
   * the connection); the CPU-heavy part yields to other work every few milliseconds.
   */
  async #build(sql: VaultSql, events: LogEvent[], read: <T>(fn: () => Promise<T>) => Promise<T>): Promise<Built> {
    const groups = [...groupByVehicleEpoch(events, (vehicleId, version) => this.#o.pseudonyms.streamId(vehicleId, version)).values()];
    const specs: KeySpec[] = [];
    for (const g of groups) {
      specs.push({ ref: vehicleKeyRef(g.vehicleId, g.version), kind: 'vehicle', vehicleId: g.vehicleId, version: g.version, owner: g.owner });
      if (g.hasLocation) specs.push({ ref: locationKeyRef(g.streamId), kind: 'location' });
    }
    const { keys: prepared, latestRows, locLatestRows } = await read(async () => ({
      keys: await this.#o.dataKeys.prepare(sql, specs, true),
      // Existing latest records, to merge into.
      latestRows: await sql.latest(groups.map((g) => ({ vehicleId: g.vehicleId, version: g.version }))),
      locLatestRows: await sql.locationLatest(groups.filter((g) => g.hasLocation).map((g) => g.streamId)),
    }));
    const keys = prepared.keys;
    let slice = performance.now();
    // The node clock, as the retention sweeper reads location chunks' compaction time from this prefix.
    const runPrefix = Math.max(0, this.#o.clock.now()).toString(36).padStart(9, '0');

    const chunkRows: Database['vault_chunks'][] = [];
    const latestOut: Database['vault_latest'][] = [];
    const locChunkRows: Database['vault_location_chunks'][] = [];
    const locLatestOut: Database['vault_location_latest'][] = [];
    for (const g of groups) {
      if (performance.now() - slice > 10) {
        await new Promise((r) => setImmediate(r));
        slice = performance.now();
      }
      const key = keys.get(vehicleKeyRef(g.vehicleId, g.version))!;
      for (const [chunkStart, c] of g.chunks) {
        const segId = segmentId();
        const samples: SamplesRecord = {};
        const rollups: RollupsRecord = {};
        for (const [name, series] of c.signals) {
          const sorted = sortSeries(series);
          samples[name] = sorted;
          rollups[name] = rollupOf(sorted);
        }
        chunkRows.push({
          seg_id: segId, vehicle_id: g.vehicleId, owner_version: g.version, chunk_start: chunkStart, n_events: c.events.length, n_samples: c.samples,
          samples: seal(key, json(samples), aad.chunk(segId, g.vehicleId, g.version, chunkStart, 'samples')),
          rollups: seal(key, json(rollups), aad.chunk(segId, g.vehicleId, g.version, chunkStart, 'rollups')),
          events: seal(key, json(c.events), aad.chunk(segId, g.vehicleId, g.version, chunkStart, 'events')),
        });
      }
      if (g.latest.size > 0) {
        const prev = latestRows.get(`${g.vehicleId}:${g.version}`);
        const record: LatestRecord = prev ? (JSON.parse(open(key, prev, aad.latest(g.vehicleId, g.version)).toString('utf8')) as LatestRecord) : { signals: {} };
        for (const [name, [ts, v]] of g.latest) {
          const cur = record.signals[name];
          if (!cur || ts >= cur[0]) record.signals[name] = [ts, v];
        }
        latestOut.push({ vehicle_id: g.vehicleId, owner_version: g.version, ct: seal(key, json(record), aad.latest(g.vehicleId, g.version)) });
      }
      if (!g.hasLocation) continue;
      const lkey = keys.get(locationKeyRef(g.streamId))!;
      for (const [chunkStart, c] of g.locChunks) {
        // Not segmentId(): its counter follows vehicle order and would pair location rows with vehicles.
        const segId = runPrefix + randomBytes(10).toString('hex');
        const tag = this.#o.pseudonyms.chunkTag(g.streamId, chunkStart);
        const record: LocationChunkRecord = { points: sortPoints(c.points), samples: {} };
        for (const [name, series] of c.signals) record.samples[name] = sortSeries(series);
        locChunkRows.push({ seg_id: segId, stream_id: g.streamId, chunk_tag: tag, n_points: c.points.length / 4, ct: seal(lkey, json(record), aad.locationChunk(segId, g.streamId, tag)) });
      }
      const prev = locLatestRows.get(g.streamId);
      const latest: LocationLatestRecord = prev
        ? (JSON.parse(open(lkey, prev, aad.locationLatest(g.streamId)).toString('utf8')) as LocationLatestRecord)
        : { point: null, samples: {} };
      if (g.locPoint && (!latest.point || g.locPoint[0] >= latest.point[0])) latest.point = g.locPoint;
      for (const [name, [ts, v]] of g.locLatest) {
        const cur = latest.samples[name];
        if (!cur || ts >= cur[0]) latest.samples[name] = [ts, v];
      }
      locLatestOut.push({ stream_id: g.streamId, ct: seal(lkey, json(latest), aad.locationLatest(g.streamId)) });
    }

    // Location rows go in stream-id order, not vehicle order, so their position says nothing either.
    locChunkRows.sort((a, b) => (a.stream_id < b.stream_id ? -1 : 1));
    locLatestOut.sort((a, b) => (a.stream_id < b.stream_id ? -1 : 1));
    return { keys: prepared, chunkRows, latestOut, locChunkRows, locLatestOut };
  }

  async #persist(sql: VaultSql, b: Built): Promise<void> {
    if (b.keys.rows.length > 0) await this.#o.dataKeys.insert(sql, b.keys);
    await sql.insertChunks(b.chunkRows);
    await sql.upsertLatest(b.latestOut);
    await sql.insertLocationChunks(b.locChunkRows);
    await sql.upsertLocationLatest(b.locLatestOut);
  }
}

interface Built {
  keys: PreparedKeys;
  chunkRows: Database['vault_chunks'][];
  latestOut: Database['vault_latest'][];
  locChunkRows: Database['vault_location_chunks'][];
  locLatestOut: Database['vault_location_latest'][];
}

/** Time-ordered (so the primary key grows at its end), then random. */
let segCounter = 0;
const segNode = randomBytes(4).toString('hex');
function segmentId(): string {
  // Time, then a per-process random part and a counter: unique without a random draw per segment.
  return Date.now().toString(36).padStart(9, '0') + segNode + (segCounter++ & 0xffffff).toString(16).padStart(6, '0');
}

/** Log rows refer to signals by catalogue position; chunks by name. */
function renameSamples(flat: Array<number | string>, names: readonly string[]): Array<number | string> {
  for (let i = 0; i < flat.length; i += 3) {
    const name = names[flat[i] as number];
    if (name === undefined) throw new OdmError('ODM_ERR_INTERNAL', `append-log sample refers to unknown signal #${String(flat[i])}`);
    flat[i] = name;
  }
  return flat;
}

function sortPoints(flat: number[]): number[] {
  const n = flat.length / 4;
  let sorted = true;
  for (let i = 1; i < n; i++) if (flat[4 * i]! < flat[4 * (i - 1)]!) { sorted = false; break; }
  if (sorted) return flat;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => flat[4 * a]! - flat[4 * b]! || a - b);
  return order.flatMap((i) => flat.slice(4 * i, 4 * i + 4));
}

