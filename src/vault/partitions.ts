// Monthly range partitions of the vault tables that grow with time (PostgreSQL only; SQLite keeps plain
// tables and every function here is a no-op there). vault_chunks is partitioned on chunk_start (epoch
// ms), ingest_dedup on day (epoch days). Each table has a DEFAULT partition, so a write outside every
// monthly partition is never lost; ensurePartitions creates the months ahead of need and moves any rows
// the DEFAULT partition already holds for a new month into it. Old months are dropped whole
// (dropPartitionsBefore) by retention and by the duplicate-hash pruning.
// vault_location_chunks is not here: it carries no time by design (keyed hour tags), and vault_log is
// short-lived (compaction empties it), so neither gains from time partitions.
import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from '../store/migrations/types.ts';

export interface PartitionedTable {
  table: 'vault_chunks' | 'ingest_dedup';
  column: string;
  /** What the partition column counts: epoch milliseconds or epoch days. */
  unit: 'ms' | 'day';
}

export const PARTITIONED_TABLES: readonly PartitionedTable[] = [
  { table: 'vault_chunks', column: 'chunk_start', unit: 'ms' },
  { table: 'ingest_dedup', column: 'day', unit: 'day' },
];

const DAY_MS = 86_400_000;

export function monthStartOf(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextMonth(monthStart: number): number {
  const d = new Date(monthStart);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** `vault_chunks_p202611` for November 2026. */
export function partitionName(table: string, monthStart: number): string {
  const d = new Date(monthStart);
  return `${table}_p${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** Epoch ms in the partition column's unit. */
export function toUnit(spec: PartitionedTable, ms: number): number {
  return spec.unit === 'ms' ? ms : Math.floor(ms / DAY_MS);
}

type Db = Kysely<any> | Transaction<any>;

async function inTransaction<T>(db: Db, fn: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<any>) : db.transaction().execute(fn);
}

export interface PartitionInfo {
  name: string;
  /** Bounds in the column's unit, [from, to); absent for the DEFAULT partition. */
  from?: number;
  to?: number;
}

/** The partitions of `table` (empty when it is not partitioned, e.g. on SQLite). */
export async function listPartitions(db: Db, table: string): Promise<PartitionInfo[]> {
  if (dialectOf(db) !== 'postgres') return [];
  const { rows } = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${table})
    order by c.relname`.execute(db);
  return rows.map((r) => {
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(r.bound);
    return m ? { name: r.name, from: Number(m[1]), to: Number(m[2]) } : { name: r.name };
  });
}

export async function isPartitioned(db: Db, table: string): Promise<boolean> {
  if (dialectOf(db) !== 'postgres') return false;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_partitioned_table where partrelid = to_regclass(${table})`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

/** Creates the month partition of `spec` holding `monthStart`, moving matching DEFAULT rows into it. */
async function createMonth(db: Db, spec: PartitionedTable, monthStart: number, existing: Set<string>): Promise<string | undefined> {
  const name = partitionName(spec.table, monthStart);
  if (existing.has(name)) return undefined;
  const from = toUnit(spec, monthStart);
  const to = toUnit(spec, nextMonth(monthStart));
  const lo = sql.lit(from);
  const hi = sql.lit(to);
  const parent = sql.table(spec.table);
  const def = sql.table(defaultPartitionName(spec.table));
  const col = sql.ref(spec.column);
  await inTransaction(db, async (trx) => {
    // Serialises concurrent callers (leader and a migration) on this table.
    await sql`lock table ${parent} in share row exclusive mode`.execute(trx);
    const again = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = ${name}`.execute(trx);
    if ((again.rows[0]?.n ?? 0) > 0) return;
    const stranded = await sql<{ n: number }>`select count(*)::int as n from ${def} where ${col} >= ${lo} and ${col} < ${hi}`.execute(trx);
    if ((stranded.rows[0]?.n ?? 0) === 0) {
      await sql`create table ${sql.table(name)} partition of ${parent} for values from (${lo}) to (${hi})`.execute(trx);
      return;
    }
    // Rows for this month already sit in DEFAULT: attaching the month would violate DEFAULT's implied
    // bound, so move them into a standalone table first and attach it.
    await sql`create table ${sql.table(name)} (like ${parent} including defaults including constraints)`.execute(trx);
    await sql`with moved as (delete from ${def} where ${col} >= ${lo} and ${col} < ${hi} returning *) insert into ${sql.table(name)} select * from moved`.execute(trx);
    await sql`alter table ${parent} attach partition ${sql.table(name)} for values from (${lo}) to (${hi})`.execute(trx);
  });
  return name;
}

/**
 * Makes sure the partitions for the month of `now` and the `ahead` months after it exist (default 2) on
 * every partitioned vault table. Idempotent; returns the names it created. A no-op on SQLite. The
 * migration calls it once; the leader calls it periodically (startRetention does, each sweep).
 */
export async function ensurePartitions(db: Db, now: number, ahead = 2): Promise<string[]> {
  if (dialectOf(db) !== 'postgres') return [];
  const created: string[] = [];
  for (const spec of PARTITIONED_TABLES) {
    if (!(await isPartitioned(db, spec.table))) continue;
    const existing = new Set((await listPartitions(db, spec.table)).map((p) => p.name));
    let m = monthStartOf(now);
    for (let i = 0; i <= ahead; i++, m = nextMonth(m)) {
      const name = await createMonth(db, spec, m, existing);
      if (name) created.push(name);
    }
  }
  return created;
}

/** Creates month partitions for every month in [fromMs, toMs] (at most `max` of them, newest kept). */
export async function ensureMonthsBetween(db: Db, spec: PartitionedTable, fromMs: number, toMs: number, max = 120): Promise<void> {
  const months: number[] = [];
  for (let m = monthStartOf(fromMs); m <= toMs; m = nextMonth(m)) months.push(m);
  const existing = new Set((await listPartitions(db, spec.table)).map((p) => p.name));
  for (const m of months.slice(-max)) await createMonth(db, spec, m, existing);
}

/**
 * Drops the month partitions of `spec.table` that lie wholly before `beforeMs` (never DEFAULT).
 * Returns the names dropped; a no-op on SQLite or an unpartitioned table.
 */
export async function dropPartitionsBefore(db: Db, spec: PartitionedTable, beforeMs: number): Promise<string[]> {
  if (!(await isPartitioned(db, spec.table))) return [];
  const bound = toUnit(spec, beforeMs);
  const dropped: string[] = [];
  for (const p of await listPartitions(db, spec.table)) {
    if (p.to === undefined || p.to > bound) continue;
    await sql`drop table if exists ${sql.table(p.name)}`.execute(db);
    dropped.push(p.name);
  }
  return dropped;
}
