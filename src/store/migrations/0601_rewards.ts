// Weekly rewards (src/rewards). `rewards_inputs` freezes what a week was computed from (who owned each
// vehicle, its connection kinds, streak before the week, privacy and unions), so recomputing a week gives
// the same Merkle root even after owners, devices or settings changed. Amounts are decimal wei strings.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf, jsonType } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  await db.schema
    .createTable('rewards_weeks')
    .addColumn('week', 'integer', (c) => c.primaryKey())
    .addColumn('week_start', big, (c) => c.notNull())
    .addColumn('week_end', big, (c) => c.notNull())
    .addColumn('rules_version', 'text', (c) => c.notNull())
    .addColumn('inputs_hash', 'text', (c) => c.notNull())
    .addColumn('budget', 'text', (c) => c.notNull())
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('total_points', 'text', (c) => c.notNull())
    .addColumn('vehicles', 'integer', (c) => c.notNull())
    .addColumn('paid_vehicles', 'integer', (c) => c.notNull())
    .addColumn('root', 'text')
    .addColumn('computed_at', big, (c) => c.notNull())
    .addColumn('posted_tx', 'text')
    .addColumn('posted_at', big)
    .execute();

  await db.schema
    .createTable('rewards_inputs')
    .addColumn('week', 'integer', (c) => c.notNull())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('doc', jsonType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('rewards_inputs_pk', ['week', 'vehicle_id'])
    .execute();

  await db.schema
    .createTable('rewards_entries')
    .addColumn('week', 'integer', (c) => c.notNull())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('beneficiary', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('streak_level', 'integer', (c) => c.notNull())
    .addColumn('streak_weeks', 'integer', (c) => c.notNull())
    .addColumn('streak_missed', 'integer', (c) => c.notNull())
    .addColumn('reasons', jsonType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('rewards_entries_pk', ['week', 'vehicle_id'])
    .execute();
  await db.schema.createIndex('rewards_entries_beneficiary').on('rewards_entries').columns(['beneficiary', 'week']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rewards_entries').execute();
  await db.schema.dropTable('rewards_inputs').execute();
  await db.schema.dropTable('rewards_weeks').execute();
}
