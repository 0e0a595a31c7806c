// Table types: app access: license API keys, redirect URIs, developer sign-in challenges (src/licensing/signer-*,
// src/api/apps)

export interface LicenseSignersTable {
  license_id: string;
  /** Lowercase 0x address. */
  signer: string;
  /** Unix seconds (chain time) the signer stops being valid. */
  expires_at_sec: number;
  enabled_by: string;
  enabled_at: number;
}

export interface LicenseRedirectUrisTable {
  license_id: string;
  uri: string;
  set_by: string;
  set_at: number;
}

export interface AppAuthStatesTable {
  state: string;
  /** Lowercase 0x client id the challenge was issued to. */
  client_id: string;
  domain: string;
  challenge: string;
  issued_at: number;
  expires_at: number;
}
