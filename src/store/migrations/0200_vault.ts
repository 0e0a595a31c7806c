// Ingest and vault tables (src/ingest, src/vault). Nothing here holds plaintext telemetry, location or
// VINs: payloads are AES-256-GCM ciphertext; the plaintext columns are vehicle token ids, owner
// epochs, hour-aligned chunk starts and counts. Location tables carry no vehicle id and no time: rows
// are keyed by a pseudonymous stream id and keyed chunk tags, so they cannot be joined to vehicles or
// owners without the node's keys.
import { sql, type Kysely } from 'kysely';
import { addAutoIdColumn, bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  const bytes = bytesType(dialect);

  // Data keys, each wrapped by a keyring bucket key (which the node's KEK protects, outside the database).
  await db.schema
    .createTable('vault_keys')
    .addColumn('key_ref', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Vehicle keys only; location keys name nothing but their pseudonymous stream.
    .addColumn('vehicle_id', 'text')
    .addColumn('owner_version', 'integer')
    .addColumn('owner', 'text')
    .addColumn('bucket', 'integer', (c) => c.notNull())
    .addColumn('bucket_version', 'integer', (c) => c.notNull())
    .addColumn('wrapped', bytes, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vault_keys_bucket').on('vault_keys').columns(['bucket', 'bucket_version']).execute();
  await db.schema.createIndex('vault_keys_vehicle').on('vault_keys').column('vehicle_id').execute();
  await db.schema.createIndex('vault_keys_owner').on('vault_keys').column('owner').execute();

  // Keyed hashes of (subject, time, type, source, id) of every stored event, by day of the event.
  let dedup = db.schema
    .createTable('ingest_dedup')
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_dedup_pk', ['day', 'hash']);
  if (dialect === 'sqlite') dedup = dedup.modifyEnd(sql`without rowid`);
  await dedup.execute();

  // The durable append log: one row per group commit, encrypted under the current log-epoch key.
  await addAutoIdColumn(db.schema.createTable('vault_log'), 'id', dialect)
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('n_events', 'integer', (c) => c.notNull())
    .addColumn('ct', bytes, (c) => c.notNull())
    .execute();

  // Compacted segments per vehicle, owner epoch and hour: samples, per-signal rollups, event archive.
  await db.schema
    .createTable('vault_chunks')
    .addColumn('seg_id', 'text', (c) => c.primaryKey())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('chunk_start', big, (c) => c.notNull())
    .addColumn('n_events', 'integer', (c) => c.notNull())
    .addColumn('n_samples', 'integer', (c) => c.notNull())
    .addColumn('samples', bytes, (c) => c.notNull())
    .addColumn('rollups', bytes, (c) => c.notNull())
    .addColumn('events', bytes, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vault_chunks_vehicle').on('vault_chunks').columns(['vehicle_id', 'owner_version', 'chunk_start']).execute();

  await db.schema
    .createTable('vault_latest')
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('ct', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('vault_latest_pk', ['vehicle_id', 'owner_version'])
    .execute();

  await db.schema
    .createTable('vault_location_chunks')
    .addColumn('seg_id', 'text', (c) => c.primaryKey())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('chunk_tag', 'text', (c) => c.notNull())
    .addColumn('n_points', 'integer', (c) => c.notNull())
    .addColumn('ct', bytes, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('vault_location_chunks_stream').on('vault_location_chunks').columns(['stream_id', 'chunk_tag']).execute();

  await db.schema
    .createTable('vault_location_latest')
    .addColumn('stream_id', 'text', (c) => c.primaryKey())
    .addColumn('ct', bytes, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['vault_location_latest', 'vault_location_chunks', 'vault_latest', 'vault_chunks', 'vault_log', 'ingest_dedup', 'vault_keys']) {
    await db.schema.dropTable(t).execute();
  }
}
