// A license as the dashboard shows it (src/console/license-view.ts builds it). Plain types with no
// imports, so the dashboard (web/) imports them too.

export interface LicenseView {
  licenseId: string;
  kind: 'client' | 'node' | 'app';
  status: 'none' | 'active' | 'suspended' | 'revoked' | 'renounced' | 'banned';
  holder: string;
  legalName: string;
  dba: string;
  website: string;
  supportEmail: string;
  /** DIMO wei as decimal strings. */
  stake: string;
  required: string;
  /** stake / required as a decimal ("1" = exactly at the requirement); null when unknown. */
  trustRatio: string | null;
  /** May receive owners' data now: active, not banned, trust ratio ≥ 1. */
  active: boolean;
  banned: boolean;
  openChallenges: number;
  statusReason: string;
  statusBy: string | null;
  issuedAt: number;
  endedAt: number | null;
}
