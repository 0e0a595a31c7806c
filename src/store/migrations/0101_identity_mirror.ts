// The identity and consent mirror: what the chain says about vehicles, devices, providers and grants.
// Token ids, permission masks and expirations are uint256/uint64 on chain, so they are decimal or hex
// text here; addresses are lowercase 0x hex; times are epoch milliseconds (block timestamps).
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const big = bigintType(dialectOf(db));
  await db.schema
    .createTable('identity_vehicles')
    .addColumn('token_id', 'text', (col) => col.primaryKey())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('version', big, (col) => col.notNull())
    .addColumn('make', 'text', (col) => col.notNull())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('year', 'integer', (col) => col.notNull())
    // A salted commitment, never the VIN itself.
    .addColumn('vin_hash', 'text', (col) => col.notNull())
    .addColumn('minted_at', big, (col) => col.notNull())
    .addColumn('minted_block', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('identity_vehicles_owner').on('identity_vehicles').column('owner').execute();

  await db.schema
    .createTable('identity_synthetic_devices')
    .addColumn('token_id', 'text', (col) => col.primaryKey())
    .addColumn('vehicle_id', 'text', (col) => col.notNull())
    .addColumn('connection_id', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('minted_at', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('identity_synthetic_devices_address').on('identity_synthetic_devices').column('address').execute();

  await db.schema
    .createTable('identity_aftermarket_devices')
    .addColumn('token_id', 'text', (col) => col.primaryKey())
    .addColumn('manufacturer_id', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('claimed_at', big)
    .addColumn('vehicle_id', 'text')
    .addColumn('paired_at', big)
    .addColumn('minted_at', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('identity_aftermarket_devices_address').on('identity_aftermarket_devices').column('address').execute();

  await db.schema
    .createTable('identity_connections')
    .addColumn('token_id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('minted_at', big, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('identity_manufacturers')
    .addColumn('token_id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('minted_at', big, (col) => col.notNull())
    .execute();

  // Per-token grants at the token version they were made under; rows of older versions are deleted
  // when the version moves (they are void on chain for good).
  await db.schema
    .createTable('identity_grants')
    .addColumn('asset', 'text', (col) => col.notNull())
    .addColumn('token_id', 'text', (col) => col.notNull())
    .addColumn('version', big, (col) => col.notNull())
    .addColumn('grantee', 'text', (col) => col.notNull())
    .addColumn('grantor', 'text', (col) => col.notNull())
    .addColumn('permissions', 'text', (col) => col.notNull())
    .addColumn('expiration', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('granted_at', big, (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_grants_pk', ['asset', 'token_id', 'version', 'grantee'])
    .execute();
  await db.schema.createIndex('identity_grants_token').on('identity_grants').columns(['asset', 'token_id']).execute();

  await db.schema
    .createTable('identity_account_grants')
    .addColumn('grantor', 'text', (col) => col.notNull())
    .addColumn('grantee', 'text', (col) => col.notNull())
    .addColumn('permissions', 'text', (col) => col.notNull())
    .addColumn('expiration', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('granted_at', big, (col) => col.notNull())
    .addPrimaryKeyConstraint('identity_account_grants_pk', ['grantor', 'grantee'])
    .execute();

  await db.schema
    .createTable('identity_supported_assets')
    .addColumn('asset', 'text', (col) => col.primaryKey())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'identity_supported_assets',
    'identity_account_grants',
    'identity_grants',
    'identity_manufacturers',
    'identity_connections',
    'identity_aftermarket_devices',
    'identity_synthetic_devices',
    'identity_vehicles',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
