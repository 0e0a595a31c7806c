// Table types: identity and consent mirror (src/identity)

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
