// Shapes of the node's answers the dashboard reads (see the route files named beside each).
// Those in src/api/shapes/ are the node's own definitions, imported type-only (erased: Vite bundles
// nothing from src/); the rest are still written out here.
export type { ConnectionView as Connection } from '../../../src/api/shapes/connection.ts';
export type { LicenseView as License } from '../../../src/api/shapes/license.ts';
export type { OwnerGrant } from '../../../src/api/shapes/owner-grant.ts';
export type { ApplicationView as Application } from '../../../src/api/shapes/application.ts';
export type { Trip, TripPoint, VehicleSummary } from '../../../src/api/shapes/owner-vehicle.ts';

/** GET /v1/owner/signal-catalog (src/owners/owner-data-routes.ts) */
export interface SignalDef {
  name: string;
  unit: string | null;
  type: string;
  location: boolean;
}

/** src/console/challenge-view.ts */
export interface Challenge {
  challengeId: string;
  licenseId: string;
  challenger: string;
  deposit: string;
  reasonUri: string;
  status: 'open' | 'upheld' | 'rejected';
  slashed: string;
  burned: string;
  challengerReward: string;
  ownersTotal: string;
  rulingUri: string | null;
  openedAt: number;
  decidedAt: number | null;
  legalName?: string | null;
}

/** src/activity/activity-log.ts */
export interface ActivityEntry {
  seq: number;
  at: number;
  kind: string;
  vehicleId?: string;
  app?: { licenseId?: string; address?: string; name?: string };
  privileges?: number[];
  detail?: Record<string, unknown>;
  unreadable?: true;
}

/** GET /v1/relay/signing/:address (src/identity/relay-routes.ts) */
export interface SigningInfo {
  chainId: number;
  signer: string;
  relayer: string | null;
  contracts: Record<string, { domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` }; nonce: string }>;
}

/** GET/PUT /v1/owner/retention (src/owners/retention-routes.ts): days kept for all the owner's vehicles, null = forever. */
export interface RetentionSetting {
  days: number | null;
  min: number;
  max: number;
}
