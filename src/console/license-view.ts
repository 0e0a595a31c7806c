// A license as the dashboard shows it (the consent screen, the developer and licensing consoles): who
// holds it and under which names, its status and the published reason, and the numbers owners weigh at
// opt-in: stake, requirement and trust ratio (exactly the contract's, from the licensing mirror).
import type { LicenseRecord } from '../licensing/license-types.ts';
import type { LicensingIndex } from '../licensing/licensing-index.ts';
import { formatRatio } from '../licensing/stake-math.ts';
import type { LicenseView } from '../api/shapes/license.ts';

export type { LicenseView };

export function licenseView(index: LicensingIndex, l: LicenseRecord): LicenseView {
  let ratio: bigint | undefined;
  try {
    ratio = index.trustRatio(l.licenseId);
  } catch {
    ratio = undefined; // the mirror has not seen the minimum stakes yet
  }
  return {
    licenseId: l.licenseId.toString(), kind: l.kind, status: l.status, holder: l.holder,
    legalName: l.metadata.legalName, dba: l.metadata.dba, website: l.metadata.website, supportEmail: l.metadata.supportEmail,
    stake: l.stake.toString(), required: (index.requiredStake(l.licenseId) ?? 0n).toString(),
    trustRatio: ratio === undefined ? null : formatRatio(ratio), active: index.isActive(l.licenseId), banned: index.isBanned(l.holder),
    openChallenges: l.openChallenges, statusReason: l.statusReason, statusBy: l.statusBy ?? null,
    issuedAt: l.issuedAt, endedAt: l.endedAtSec ? l.endedAtSec * 1000 : null,
  };
}

/** The license a grantee address acts for (held by it or by the identity it is linked to), if any. */
export function licenseOfGrantee(index: LicensingIndex, grantee: string): LicenseRecord | undefined {
  const held = index.licensesOf(grantee.toLowerCase());
  return held.find((l) => l.kind === 'app' && l.status === 'active') ?? held.find((l) => l.kind === 'app') ?? held[0];
}
