// One grant on an owner's vehicle as GET /v1/owner/grants returns it (src/consent-inbox/owner-grants.ts
// builds it). Plain types, so the dashboard (web/) imports them too.
import type { LicenseView } from './license.ts';

export interface OwnerGrant {
  vehicleId: string;
  grantee: string;
  privileges: number[];
  /** Unix seconds. */
  expiration: number;
  active: boolean;
  source: string;
  grantedAt: number;
  asset: string | null;
  license: LicenseView | null;
  document: { purpose: string; streams: Array<{ signal: string; frequency: string }>; signedAt: string } | null;
}
