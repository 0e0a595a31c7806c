// Data unions and anonymized aggregate releases (src/unions). Memberships are per vehicle and owner epoch,
// so a transfer leaves every union (the new owner has not chosen). Releases keep what was published in
// the clear (it is public) and the suppressed groups sealed under a key derived from the node's KEK:
// a suppressed group may describe fewer than k vehicles, so it is as sensitive as the data itself.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, bigintType, bytesType, dialectOf, jsonType } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  await db.schema
    .createTable('union_memberships')
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('union_id', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('joined_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('union_memberships_pk', ['vehicle_id', 'owner_version', 'union_id'])
    .execute();
  await db.schema.createIndex('union_memberships_union').on('union_memberships').columns(['union_id']).execute();

  await addAutoIdColumn(db.schema.createTable('aggregate_releases'), 'release_id', dialect)
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('params', jsonType(dialect), (c) => c.notNull())
    .addColumn('app_license_id', 'text', (c) => c.notNull())
    .addColumn('app_address', 'text', (c) => c.notNull())
    .addColumn('k', 'integer', (c) => c.notNull())
    .addColumn('epsilon', 'text')
    .addColumn('released', jsonType(dialect), (c) => c.notNull())
    .addColumn('released_count', 'integer', (c) => c.notNull())
    .addColumn('suppressed_count', 'integer', (c) => c.notNull())
    .addColumn('suppressed_ct', bytesType(dialect), (c) => c.notNull())
    .addColumn('contributors', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('aggregate_releases_at').on('aggregate_releases').columns(['at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('aggregate_releases').execute();
  await db.schema.dropTable('union_memberships').execute();
}
