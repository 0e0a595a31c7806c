// What the connectors need from any OEM API: OAuth (authorize URL, code exchange, refresh) and the
// account's vehicles. Polling and commands are OEM-specific and live beside each client.
import type { Oem } from './store/connector-store.ts';

export interface TokenGrant {
  accessToken: string;
  refreshToken: string | null;
  /** Access-token lifetime the OEM announced. */
  expiresInS: number;
  scopes: string[];
}

/** A refresh either rotates the tokens or finds the refresh token dead (the owner must log in again). */
export type RefreshOutcome = { kind: 'ok'; grant: TokenGrant } | { kind: 'dead'; reason: string };

export interface OemVehicle {
  oemVehicleId: string;
  /** Used once, to commit to it on chain; never stored or logged. */
  vin: string;
  make: string;
  model: string;
  year: number;
  displayName?: string;
}

export interface OemAccountInfo {
  /** The OEM's user id (hashed before storage). */
  userId: string;
  /** Tesla: the regional Fleet API host the account lives on. */
  region?: 'na' | 'eu';
}

export interface OemAuthApi {
  oem: Oem;
  /** Whether the authorize URL carries a PKCE challenge (and the exchange its verifier). */
  usesPkce: boolean;
  authorizeUrl(p: { state: string; codeChallenge?: string }): string;
  /** Throws ODM_ERR_OAUTH_EXCHANGE when the OEM refuses the code. */
  exchangeCode(code: string, codeVerifier?: string): Promise<TokenGrant>;
  /** Dead refresh tokens are an outcome; transport failures and 5xx throw (retryable). */
  refresh(refreshToken: string): Promise<RefreshOutcome>;
  account(accessToken: string): Promise<OemAccountInfo>;
  vehicles(accessToken: string, account: OemAccountInfo): Promise<OemVehicle[]>;
}

/** A signal in catalogue units with the data's own time. */
export interface Signal {
  name: string;
  /** Epoch ms. */
  timestamp: number;
  value: number | string | { latitude: number; longitude: number };
}

/** Rounds half away from zero to `digits` decimals without binary artefacts (1.005 → 1.01). */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(Number(scaled.toPrecision(15))) / factor;
  return Math.sign(value) * rounded || 0;
}

export const KM_PER_MILE = 1.609344;
export const KPA_PER_BAR = 100;
export const KPA_PER_PSI = 6.894757293168361;
export const LITRES_PER_US_GALLON = 3.785411784;
