// OEM connectors (src/connectors): sealed node secrets (the HD seed of device keys), OEM accounts with
// their tokens sealed under a per-account data key (destroying that key shreds them), and the vehicles
// connected through them. Nothing here is plaintext secret: tokens are AES-256-GCM ciphertext, VINs are
// only kept as a salted commitment, OEM user ids only as a keyed hash.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('connector_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('sealed', bytesType(dialect), (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('connector_accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('oem', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('oem_user_hash', 'text', (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_reason', 'text')
    .addColumn('token_key', bytesType(dialect))
    .addColumn('tokens', bytesType(dialect))
    .addColumn('token_version', 'integer', (c) => c.notNull())
    .addColumn('access_issued_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('access_expires_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('updated_at', bigintType(dialect), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connector_accounts_owner').on('connector_accounts').columns(['owner', 'oem', 'oem_user_hash']).execute();

  await db.schema
    .createTable('connector_vehicles')
    .addColumn('connection_id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('oem', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('oem_vehicle_id', 'text', (c) => c.notNull())
    .addColumn('make', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('vin_hash', 'text', (c) => c.notNull())
    .addColumn('device_path', 'text', (c) => c.notNull())
    .addColumn('device_address', 'text', (c) => c.notNull().unique())
    .addColumn('vehicle_token_id', 'text')
    .addColumn('device_token_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_reason', 'text')
    .addColumn('dropped_paths', 'text', (c) => c.notNull())
    .addColumn('last_emitted', 'text', (c) => c.notNull())
    .addColumn('poll_state', 'text', (c) => c.notNull())
    .addColumn('last_data_at', bigintType(dialect))
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('updated_at', bigintType(dialect), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connector_vehicles_owner').on('connector_vehicles').columns(['owner', 'oem', 'oem_vehicle_id']).execute();
  await db.schema.createIndex('connector_vehicles_account').on('connector_vehicles').column('account_id').execute();
  await db.schema.createIndex('connector_vehicles_token').on('connector_vehicles').column('vehicle_token_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connector_vehicles').execute();
  await db.schema.dropTable('connector_accounts').execute();
  await db.schema.dropTable('connector_secrets').execute();
}
