// Shapes of the node's answers the dashboard reads (see the route files named beside each).

/** src/connectors/control/owner-control.ts */
export interface Connection {
  id: string;
  oem: string;
  state: 'pending' | 'active' | 'paused' | 'reauth_required' | 'disconnected';
  stateReason: string | null;
  oemVehicleId: string;
  make: string;
  model: string;
  year: number;
  vehicleId: string | null;
  syntheticDeviceId: string | null;
  deviceAddress: string;
  pollState: string;
  lastDataAt: number | null;
  nextPollAt: number | null;
  notCapableOf: string[];
  account: { id: string; state: string; stateReason: string | null };
  createdAt: number;
  updatedAt: number;
}

export interface TripPoint {
  ts: number;
  lat: number;
  lng: number;
  redacted: boolean;
}

/** src/owners/data/owner-vehicles.ts */
export interface VehicleSummary {
  tokenId: string;
  make: string;
  model: string;
  year: number;
  mintedAt: number;
  connections: Connection[];
  latest: Record<string, [number, number | string]>;
  lastDataAt: number | null;
  location: TripPoint | null;
  privacy: { locationOptOut: boolean; zones: number };
}

export interface Trip {
  start: number;
  end: number;
  distanceKm: number;
  redactedPoints: number;
  points: TripPoint[];
}

export interface SignalDef {
  name: string;
  unit: string | null;
  type: string;
  location: boolean;
}

/** src/console/license-view.ts */
export interface License {
  licenseId: string;
  kind: 'client' | 'node' | 'app';
  status: 'none' | 'active' | 'suspended' | 'revoked' | 'renounced' | 'banned';
  holder: string;
  legalName: string;
  dba: string;
  website: string;
  supportEmail: string;
  stake: string;
  required: string;
  trustRatio: string | null;
  active: boolean;
  banned: boolean;
  openChallenges: number;
  statusReason: string;
  statusBy: string | null;
  issuedAt: number;
  endedAt: number | null;
}

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

/** src/consent-inbox/owner-grants.ts */
export interface OwnerGrant {
  vehicleId: string;
  grantee: string;
  privileges: number[];
  expiration: number;
  active: boolean;
  source: string;
  grantedAt: number;
  asset: string | null;
  license: License | null;
  document: { purpose: string; streams: Array<{ signal: string; frequency: string }>; signedAt: string } | null;
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

/** src/console/license-applications.ts */
export interface Application {
  id: number;
  applicant: string;
  kind: string;
  legalName: string;
  dba: string;
  website: string;
  supportEmail: string;
  note: string;
  status: 'pending' | 'issued' | 'rejected' | 'withdrawn';
  decisionReason: string | null;
  decidedBy: string | null;
  licenseId: string | null;
  txHash: string | null;
  createdAt: number;
  decidedAt: number | null;
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
