// Webhooks (src/webhooks): developers' triggers (DIMO's shape), the vehicles subscribed to them, the last
// time each fired per vehicle (cooldowns survive restarts), and the delivery queue and log. Signing
// secrets and pending bodies (they carry a signal value) are AES-256-GCM ciphertext under a key derived
// from the node's KEK; a body is erased once its delivery ends, so the log keeps only metadata.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('license_id', 'text', (c) => c.notNull())
    .addColumn('grantee', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('metric_name', 'text', (c) => c.notNull())
    .addColumn('condition', 'text', (c) => c.notNull())
    .addColumn('cooldown_s', 'integer', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('failure_count', 'integer', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('secret_ct', bytesType(dialect), (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('updated_at', bigintType(dialect), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_license').on('webhooks').column('license_id').execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['webhook_id', 'vehicle_id'])
    .execute();
  await db.schema.createIndex('webhook_subscriptions_vehicle').on('webhook_subscriptions').column('vehicle_id').execute();

  await db.schema
    .createTable('webhook_fires')
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('fired_at', bigintType(dialect), (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_fires_pk', ['webhook_id', 'vehicle_id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('last_attempt_at', bigintType(dialect))
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('body_ct', bytesType(dialect))
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('finished_at', bigintType(dialect))
    .execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('webhook_deliveries_log').on('webhook_deliveries').columns(['webhook_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_fires').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
  await db.schema.dropTable('webhooks').execute();
}
