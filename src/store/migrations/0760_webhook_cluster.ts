// Webhooks in a cluster (issue #10): several api processes share the delivery queue, so each attempt is
// claimed with a lease (`claimed_by`, `claimed_until`; an expired lease means the claimant died and
// another process may retry), and the previous sample of a watched signal — what `previousValue` in a
// condition compares with — lives in the database so whichever process evaluates the next batch sees it.
// Previous values are signal values, so they are sealed like delivery bodies.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema.alterTable('webhook_deliveries').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('claimed_until', bigintType(dialect)).execute();

  await db.schema
    .createTable('webhook_previous')
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('signal', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('sample_ts', bigintType(dialect), (c) => c.notNull())
    .addColumn('value_ct', bytesType(dialect), (c) => c.notNull())
    .addColumn('updated_at', bigintType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_previous_pk', ['vehicle_id', 'signal'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_previous').execute();
  await db.schema.alterTable('webhook_deliveries').dropColumn('claimed_until').execute();
  await db.schema.alterTable('webhook_deliveries').dropColumn('claimed_by').execute();
}
