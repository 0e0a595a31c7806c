// Table types: OEM connectors (src/connectors)

export interface ConnectorSecretsTable {
  name: string;
  /** Sealed under a key derived from the node's KEK. */
  sealed: Buffer;
  created_at: number;
}

export interface ConnectorAccountsTable {
  account_id: string;
  oem: 'tesla' | 'smartcar';
  /** Lowercase 0x address of the owner who connected the account. */
  owner: string;
  /** Keyed hash of the OEM's user id (never the id itself). */
  oem_user_hash: string;
  /** Tesla: na | eu. */
  region: string | null;
  state: 'active' | 'reauth_required' | 'disconnected';
  state_reason: string | null;
  /** The account's data key wrapped under the node's connector key; null once shredded. */
  token_key: Buffer | null;
  /** Access and refresh tokens sealed under the account's data key; null once shredded. */
  tokens: Buffer | null;
  token_version: number;
  access_issued_at: number;
  access_expires_at: number;
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface ConnectorVehiclesTable {
  /** The connection's id in the API (`/v1/connections/{id}`). */
  connection_id: string;
  account_id: string;
  oem: 'tesla' | 'smartcar';
  owner: string;
  /** The OEM's opaque vehicle id (Tesla's numeric id, Smartcar's UUID); never the VIN. */
  oem_vehicle_id: string;
  make: string;
  model: string;
  year: number;
  /** 0x bytes32 salted commitment to the VIN (what goes on chain). */
  vin_hash: string;
  /** HD derivation path of the device key (the key itself is never stored). */
  device_path: string;
  device_address: string;
  vehicle_token_id: string | null;
  device_token_id: string | null;
  state: 'pending' | 'active' | 'paused' | 'reauth_required' | 'disconnected';
  state_reason: string | null;
  /** JSON array of API paths the vehicle is not capable of (501). */
  dropped_paths: string;
  /** JSON {section or path: epoch ms of the newest data already emitted}. */
  last_emitted: string;
  /** driving | charging | parked | asleep | offline | unknown. */
  poll_state: string;
  last_data_at: number | null;
  created_at: number;
  updated_at: number;
}
