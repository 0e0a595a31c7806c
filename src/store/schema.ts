// Kysely table types for everything the store holds. Each module that adds a table adds its interface
// here and a migration under ./migrations; the two must agree. Conventions that keep both dialects
// returning the same JS values: times are bigint epoch milliseconds (read back as number), bytes are
// Buffer, JSON is stored and read back as a JSON string, booleans are integer 0/1.
import type { ColumnType, Generated } from 'kysely';

/** Small key/value facts about this node: its id, first-start time, schema facts. */
export interface NodeMetaTable {
  key: string;
  value: string;
  /** Epoch milliseconds of the last write. */
  updated_at: number;
}

/** Kysely's migration bookkeeping; read-only for the application. */
export interface KyselyMigrationTable {
  name: ColumnType<string, never, never>;
  /** ISO-8601 time the migration ran. */
  timestamp: ColumnType<string, never, never>;
}

export interface KyselyMigrationLockTable {
  id: ColumnType<string, never, never>;
  is_locked: ColumnType<number, never, never>;
}

// --- chain indexer (src/chain/indexer) ---

export interface ChainCursorsTable {
  name: string;
  /** Last block whose events are applied; -1 before the first. */
  block_number: number;
  block_hash: string | null;
  updated_at: number;
}

export interface ChainBlocksTable {
  cursor: string;
  block_number: number;
  block_hash: string;
}

export interface ChainUndoTable {
  id: Generated<number>;
  cursor: string;
  block_number: number;
  table_name: string;
  /** JSON of the row's primary key. */
  row_key: string;
  /** JSON of the whole row before the change; null when the change created it. */
  before_row: string | null;
}

// --- identity and consent mirror (src/identity) ---

export interface IdentityVehiclesTable {
  token_id: string;
  owner: string;
  version: number;
  make: string;
  model: string;
  year: number;
  vin_hash: string;
  minted_at: number;
  minted_block: number;
}

export interface IdentitySyntheticDevicesTable {
  token_id: string;
  vehicle_id: string;
  connection_id: string;
  address: string;
  minted_at: number;
}

export interface IdentityAftermarketDevicesTable {
  token_id: string;
  manufacturer_id: string;
  address: string;
  owner: string;
  claimed_at: number | null;
  vehicle_id: string | null;
  paired_at: number | null;
  minted_at: number;
}

export interface IdentityConnectionsTable {
  token_id: string;
  name: string;
  owner: string;
  address: string;
  minted_at: number;
}

export interface IdentityManufacturersTable {
  token_id: string;
  name: string;
  owner: string;
  minted_at: number;
}

export interface IdentityGrantsTable {
  asset: string;
  token_id: string;
  version: number;
  grantee: string;
  grantor: string;
  /** 0x hex uint256 mask. */
  permissions: string;
  /** Decimal unix seconds. */
  expiration: string;
  /** 0x bytes32: keccak256 of the signed consent document. */
  source: string;
  granted_at: number;
}

export interface IdentityAccountGrantsTable {
  grantor: string;
  grantee: string;
  permissions: string;
  expiration: string;
  source: string;
  granted_at: number;
}

export interface IdentitySupportedAssetsTable {
  asset: string;
}

export interface Database {
  node_meta: NodeMetaTable;
  kysely_migration: KyselyMigrationTable;
  kysely_migration_lock: KyselyMigrationLockTable;
  chain_cursors: ChainCursorsTable;
  chain_blocks: ChainBlocksTable;
  chain_undo: ChainUndoTable;
  identity_vehicles: IdentityVehiclesTable;
  identity_synthetic_devices: IdentitySyntheticDevicesTable;
  identity_aftermarket_devices: IdentityAftermarketDevicesTable;
  identity_connections: IdentityConnectionsTable;
  identity_manufacturers: IdentityManufacturersTable;
  identity_grants: IdentityGrantsTable;
  identity_account_grants: IdentityAccountGrantsTable;
  identity_supported_assets: IdentitySupportedAssetsTable;
}
