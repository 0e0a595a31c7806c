// The owner activity log (src/activity): per owner, append-only, hash-chained, encrypted. Rows name the
// owner only by a keyed pseudonym (owner_tag) and the vehicle and app by keyed tags, so the table cannot
// be joined to accounts, vehicles or apps without the node's keys. Plain columns are the sequence
// number, the time and the kind (what list filters need); everything else is AES-256-GCM ciphertext
// under the owner's data key, with the row's columns as associated data.
//   hash = sha256(previous hash ‖ seq as 8 bytes ‖ ct); the head row anchors the newest hash under a MAC.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  const bytes = bytesType(dialect);
  await db.schema
    .createTable('activity_entries')
    .addColumn('owner_tag', 'text', (c) => c.notNull())
    .addColumn('seq', big, (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('vehicle_tag', 'text')
    .addColumn('app_tag', 'text')
    .addColumn('grantee_tag', 'text')
    .addColumn('ct', bytes, (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_entries_pk', ['owner_tag', 'seq'])
    .execute();
  // Appends are the hot path (every app read), and each index is a random insert per row: on SQLite a
  // second index (vehicle) halved throughput with a thousand active owners. Time windows get an index;
  // kind, vehicle and app filters scan the owner's rows in seq order.
  await db.schema.createIndex('activity_entries_at').on('activity_entries').columns(['owner_tag', 'at']).execute();

  await db.schema
    .createTable('activity_heads')
    .addColumn('owner_tag', 'text', (c) => c.primaryKey())
    .addColumn('seq', big, (c) => c.notNull())
    .addColumn('hash', bytes, (c) => c.notNull())
    .addColumn('mac', bytes, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activity_heads').execute();
  await db.schema.dropTable('activity_entries').execute();
}
