// The vault's row-level statements in two forms: on SQLite, cached better-sqlite3 statements run one row
// at a time (preparing a fresh multi-row INSERT per batch, as a query builder does, costs more than the
// inserts and leaves large native statement objects behind until the garbage collector finds them); on
// PostgreSQL, multi-row statements through Kysely (one round trip per page). Both run inside the
// caller's transaction: on SQLite the open Kysely transaction holds the only connection, so the raw
// statements land in it.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

type Row<T extends keyof Database> = Database[T];
type KeyRow = Pick<Row<'vault_keys'>, 'key_ref' | 'bucket' | 'bucket_version' | 'wrapped'>;

export interface VaultSql {
  /** The Kysely handle (a transaction, usually) the statements run on; absent for SQLite's raw statements. */
  readonly db?: Kysely<Database> | Transaction<Database>;
  keys(refs: string[]): Promise<KeyRow[]>;
  /** Inserts key rows, skipping references that exist; returns how many were inserted. */
  insertKeys(rows: Row<'vault_keys'>[]): Promise<number>;
  latest(pairs: Array<{ vehicleId: string; version: number }>): Promise<Map<string, Buffer>>;
  locationLatest(streams: string[]): Promise<Map<string, Buffer>>;
  insertChunks(rows: Row<'vault_chunks'>[]): Promise<void>;
  upsertLatest(rows: Row<'vault_latest'>[]): Promise<void>;
  insertLocationChunks(rows: Row<'vault_location_chunks'>[]): Promise<void>;
  upsertLocationLatest(rows: Row<'vault_location_latest'>[]): Promise<void>;
}

const PAGE = 400;

function pages<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += PAGE) out.push(rows.slice(i, i + PAGE));
  return out;
}

interface SqliteStatements {
  key: BetterSqlite3.Statement;
  insertKey: BetterSqlite3.Statement;
  latest: BetterSqlite3.Statement;
  locationLatest: BetterSqlite3.Statement;
  insertChunk: BetterSqlite3.Statement;
  upsertLatest: BetterSqlite3.Statement;
  insertLocationChunk: BetterSqlite3.Statement;
  upsertLocationLatest: BetterSqlite3.Statement;
}

const prepared = new WeakMap<BetterSqlite3.Database, SqliteStatements>();

function statements(raw: BetterSqlite3.Database): SqliteStatements {
  let s = prepared.get(raw);
  if (!s) {
    s = {
      key: raw.prepare('select key_ref, bucket, bucket_version, wrapped from vault_keys where key_ref = ?'),
      insertKey: raw.prepare(
        'insert into vault_keys (key_ref, kind, vehicle_id, owner_version, owner, bucket, bucket_version, wrapped) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (key_ref) do nothing',
      ),
      latest: raw.prepare('select ct from vault_latest where vehicle_id = ? and owner_version = ?').pluck(),
      locationLatest: raw.prepare('select ct from vault_location_latest where stream_id = ?').pluck(),
      insertChunk: raw.prepare(
        'insert into vault_chunks (seg_id, vehicle_id, owner_version, chunk_start, n_events, n_samples, samples, rollups, events) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      upsertLatest: raw.prepare('insert into vault_latest (vehicle_id, owner_version, ct) values (?, ?, ?) on conflict (vehicle_id, owner_version) do update set ct = excluded.ct'),
      insertLocationChunk: raw.prepare('insert into vault_location_chunks (seg_id, stream_id, chunk_tag, n_points, ct) values (?, ?, ?, ?, ?)'),
      upsertLocationLatest: raw.prepare('insert into vault_location_latest (stream_id, ct) values (?, ?) on conflict (stream_id) do update set ct = excluded.ct'),
    };
    prepared.set(raw, s);
  }
  return s;
}

function sqliteOps(raw: BetterSqlite3.Database): VaultSql {
  const st = statements(raw);
  return {
    async keys(refs) {
      const out: KeyRow[] = [];
      for (const r of refs) {
        const row = st.key.get(r) as KeyRow | undefined;
        if (row) out.push(row);
      }
      return out;
    },
    async insertKeys(rows) {
      let n = 0;
      for (const r of rows) n += st.insertKey.run(r.key_ref, r.kind, r.vehicle_id, r.owner_version, r.owner, r.bucket, r.bucket_version, r.wrapped).changes;
      return n;
    },
    async latest(pairs) {
      const out = new Map<string, Buffer>();
      for (const p of pairs) {
        const ct = st.latest.get(p.vehicleId, p.version) as Buffer | undefined;
        if (ct) out.set(`${p.vehicleId}:${p.version}`, ct);
      }
      return out;
    },
    async locationLatest(streams) {
      const out = new Map<string, Buffer>();
      for (const s of streams) {
        const ct = st.locationLatest.get(s) as Buffer | undefined;
        if (ct) out.set(s, ct);
      }
      return out;
    },
    async insertChunks(rows) {
      for (const r of rows) st.insertChunk.run(r.seg_id, r.vehicle_id, r.owner_version, r.chunk_start, r.n_events, r.n_samples, r.samples, r.rollups, r.events);
    },
    async upsertLatest(rows) {
      for (const r of rows) st.upsertLatest.run(r.vehicle_id, r.owner_version, r.ct);
    },
    async insertLocationChunks(rows) {
      for (const r of rows) st.insertLocationChunk.run(r.seg_id, r.stream_id, r.chunk_tag, r.n_points, r.ct);
    },
    async upsertLocationLatest(rows) {
      for (const r of rows) st.upsertLocationLatest.run(r.stream_id, r.ct);
    },
  };
}

/** Through Kysely on either dialect: safe anywhere (reads outside a transaction use this). */
export function kyselySql(db: Kysely<Database> | Transaction<Database>): VaultSql {
  return {
    db,
    async keys(refs) {
      const out: KeyRow[] = [];
      for (const page of pages(refs)) out.push(...(await db.selectFrom('vault_keys').select(['key_ref', 'bucket', 'bucket_version', 'wrapped']).where('key_ref', 'in', page).execute()));
      return out;
    },
    async insertKeys(rows) {
      let n = 0;
      for (const page of pages(rows)) {
        const r = await db.insertInto('vault_keys').values(page).onConflict((oc) => oc.column('key_ref').doNothing()).executeTakeFirst();
        n += Number(r.numInsertedOrUpdatedRows ?? 0n);
      }
      return n;
    },
    async latest(pairs) {
      const out = new Map<string, Buffer>();
      const wanted = new Set(pairs.map((p) => `${p.vehicleId}:${p.version}`));
      for (const page of pages([...new Set(pairs.map((p) => p.vehicleId))])) {
        const rows = await db.selectFrom('vault_latest').select(['vehicle_id', 'owner_version', 'ct']).where('vehicle_id', 'in', page).execute();
        for (const r of rows) {
          const k = `${r.vehicle_id}:${r.owner_version}`;
          if (wanted.has(k)) out.set(k, r.ct);
        }
      }
      return out;
    },
    async locationLatest(streams) {
      const out = new Map<string, Buffer>();
      for (const page of pages(streams)) {
        for (const r of await db.selectFrom('vault_location_latest').select(['stream_id', 'ct']).where('stream_id', 'in', page).execute()) out.set(r.stream_id, r.ct);
      }
      return out;
    },
    async insertChunks(rows) {
      for (const page of pages(rows)) await db.insertInto('vault_chunks').values(page).execute();
    },
    async upsertLatest(rows) {
      for (const page of pages(rows)) {
        await db.insertInto('vault_latest').values(page).onConflict((oc) => oc.columns(['vehicle_id', 'owner_version']).doUpdateSet((eb) => ({ ct: eb.ref('excluded.ct') }))).execute();
      }
    },
    async insertLocationChunks(rows) {
      for (const page of pages(rows)) await db.insertInto('vault_location_chunks').values(page).execute();
    },
    async upsertLocationLatest(rows) {
      for (const page of pages(rows)) {
        await db.insertInto('vault_location_latest').values(page).onConflict((oc) => oc.column('stream_id').doUpdateSet((eb) => ({ ct: eb.ref('excluded.ct') }))).execute();
      }
    },
  };
}

/**
 * Statements bound to `db` (a Kysely instance or an open transaction of `store`). On SQLite the raw
 * statements are only safe while `db` holds the connection: inside a transaction or a
 * `db.connection().execute(…)`.
 */
export function vaultSql(store: Store, db: Kysely<Database> | Transaction<Database>): VaultSql {
  return store.sqlite ? sqliteOps(store.sqlite) : kyselySql(db);
}
