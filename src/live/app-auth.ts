// How live streams and webhooks authenticate apps: the vehicle JWT (token exchange) and the developer JWT
// (web3 challenge), both issued and verified by src/api/apps/. Held behind this small interface so tests
// and benchmarks can hand in claims directly.
import { verifyDeveloperToken } from '../api/apps/developer-token.ts';
import { verifyVehicleToken } from '../api/apps/vehicle-token.ts';
import { OdmError } from '../core/errors.ts';
import type { NodeServices } from '../node/start-node.ts';

export interface VehicleTokenClaims {
  /** The vehicle's DID. */
  asset: string;
  vehicleId: bigint;
  /** Lowercase 0x address the owner granted to. */
  grantee: string;
  /** Decimal license id the app acts under. */
  licenseId: string;
  /** Privilege ids the token carries. */
  privileges: number[];
  /** Unix seconds. */
  exp: number;
}

export interface DeveloperClaims {
  licenseId: string;
  /** The API key (license signer) that signed in. */
  signer: string;
  /** The license's client id: the address owners grant consent to. */
  clientId: string;
}

export interface AppAuth {
  verifyVehicleToken(token: string): Promise<VehicleTokenClaims>;
  verifyDeveloperToken(token: string): Promise<DeveloperClaims>;
}

/** The node's own token verifiers (src/api/apps). */
export function nodeAppAuth(services: NodeServices): AppAuth {
  return {
    verifyVehicleToken: (token) => verifyVehicleToken(services, token),
    verifyDeveloperToken: (token) => verifyDeveloperToken(services, token),
  };
}

/** The token of an `Authorization: Bearer …` value; undefined when absent or of another scheme. */
export function bearerToken(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  return m ? m[1] : undefined;
}

export function authRequired(what: string): OdmError {
  return new OdmError('ODM_ERR_AUTH_REQUIRED', `${what} needs Authorization: Bearer <token>`, { status: 401 });
}
