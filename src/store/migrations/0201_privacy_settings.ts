// Owner privacy choices per vehicle and owner epoch (src/privacy). Zones are locations, so they are
// stored encrypted under the vehicle's data key; only the opt-out flag and whether zones exist are
// plain, which the ingest path reads without decrypting anything.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('privacy_settings')
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('location_opt_out', 'integer', (c) => c.notNull())
    .addColumn('zones', bytesType(dialect))
    .addColumn('updated_at', bigintType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('privacy_settings_pk', ['vehicle_id', 'owner_version'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('privacy_settings').execute();
}
