// PostgreSQL only: vault_chunks (by chunk_start, epoch ms) and ingest_dedup (by day) become monthly
// range-partitioned tables with a DEFAULT partition (src/vault/partitions.ts). An existing table is
// renamed aside, the partitioned one created under the old name with months covering its rows, the rows
// moved across, and the old table dropped, all inside the migration's transaction. A partitioned
// table's primary key must contain the partition key: vault_chunks' key becomes (seg_id, chunk_start)
// (seg_id stays unique by construction; nothing upserts on it); ingest_dedup's (day, hash) already
// does, so its ON CONFLICT (day, hash) still applies. SQLite keeps its plain tables.
import { sql, type Kysely } from 'kysely';
import { ensureMonthsBetween, ensurePartitions, isPartitioned, PARTITIONED_TABLES, type PartitionedTable } from '../../vault/partitions.ts';
import { dialectOf } from './types.ts';

const DAY_MS = 86_400_000;

async function renameAside(db: Kysely<any>, table: string): Promise<string> {
  const old = `${table}_unpartitioned`;
  await sql`alter table ${sql.table(table)} rename to ${sql.table(old)}`.execute(db);
  // Index (and so constraint) names are per schema: free them for the new table.
  const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${old}`.execute(db);
  for (const r of rows) await sql`alter index ${sql.table(r.name)} rename to ${sql.table(`${r.name}_old`)}`.execute(db);
  return old;
}

async function createPartitioned(db: Kysely<any>, spec: PartitionedTable): Promise<void> {
  if (spec.table === 'vault_chunks') {
    await sql`create table vault_chunks (
      seg_id text not null, vehicle_id text not null, owner_version integer not null, chunk_start bigint not null,
      n_events integer not null, n_samples integer not null, samples bytea not null, rollups bytea not null, events bytea not null,
      constraint vault_chunks_pkey primary key (seg_id, chunk_start)
    ) partition by range (chunk_start)`.execute(db);
    await sql`create index vault_chunks_vehicle on vault_chunks (vehicle_id, owner_version, chunk_start)`.execute(db);
  } else {
    await sql`create table ingest_dedup (
      day integer not null, hash bytea not null, constraint ingest_dedup_pk primary key (day, hash)
    ) partition by range (day)`.execute(db);
  }
  await sql`create table ${sql.table(`${spec.table}_default`)} partition of ${sql.table(spec.table)} default`.execute(db);
}

async function range(db: Kysely<any>, table: string, column: string): Promise<{ lo: number | null; hi: number | null }> {
  const { rows } = await sql<{ lo: string | number | null; hi: string | number | null }>`
    select min(${sql.ref(column)}) as lo, max(${sql.ref(column)}) as hi from ${sql.table(table)}`.execute(db);
  const r = rows[0];
  return { lo: r?.lo == null ? null : Number(r.lo), hi: r?.hi == null ? null : Number(r.hi) };
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  const now = Date.now();
  for (const spec of PARTITIONED_TABLES) {
    if (await isPartitioned(db, spec.table)) continue;
    const old = await renameAside(db, spec.table);
    await createPartitioned(db, spec);
    const { lo, hi } = await range(db, old, spec.column);
    if (lo !== null && hi !== null) {
      const toMs = (v: number) => (spec.unit === 'ms' ? v : v * DAY_MS);
      // Months of the existing rows (the newest 120; anything older lands in DEFAULT).
      await ensureMonthsBetween(db, spec, toMs(lo), Math.min(toMs(hi), now + 366 * DAY_MS));
      await sql`insert into ${sql.table(spec.table)} select * from ${sql.table(old)}`.execute(db);
    }
    await sql`drop table ${sql.table(old)}`.execute(db);
  }
  await ensurePartitions(db, now);
}

/** Back to plain tables with the 0200 keys. */
export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  for (const spec of PARTITIONED_TABLES) {
    if (!(await isPartitioned(db, spec.table))) continue;
    const old = `${spec.table}_partitioned`;
    await sql`alter table ${sql.table(spec.table)} rename to ${sql.table(old)}`.execute(db);
    const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${old}`.execute(db);
    for (const r of rows) await sql`alter index ${sql.table(r.name)} rename to ${sql.table(`${r.name}_part`)}`.execute(db);
    if (spec.table === 'vault_chunks') {
      await sql`create table vault_chunks (
        seg_id text primary key, vehicle_id text not null, owner_version integer not null, chunk_start bigint not null,
        n_events integer not null, n_samples integer not null, samples bytea not null, rollups bytea not null, events bytea not null
      )`.execute(db);
      await sql`create index vault_chunks_vehicle on vault_chunks (vehicle_id, owner_version, chunk_start)`.execute(db);
    } else {
      await sql`create table ingest_dedup (day integer not null, hash bytea not null, constraint ingest_dedup_pk primary key (day, hash))`.execute(db);
    }
    await sql`insert into ${sql.table(spec.table)} select * from ${sql.table(old)}`.execute(db);
    await sql`drop table ${sql.table(old)}`.execute(db);
  }
}
