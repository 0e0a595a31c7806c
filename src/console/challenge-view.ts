// A challenge and its ruling as the consoles show it (wei as decimal strings, times in epoch ms).
import type { ChallengeRecord } from '../licensing/license-types.ts';

export function challengeView(c: ChallengeRecord) {
  return {
    challengeId: c.challengeId.toString(), licenseId: c.licenseId.toString(), challenger: c.challenger, deposit: c.deposit.toString(),
    reasonUri: c.reasonUri, status: c.status, slashed: c.slashed.toString(), burned: c.burned.toString(),
    challengerReward: c.challengerReward.toString(), ownersTotal: c.ownersTotal.toString(), rulingUri: c.rulingUri ?? null,
    openedAt: c.openedAt, decidedAt: c.decidedAt ?? null,
  };
}
