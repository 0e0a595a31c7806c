// The licensing vocabulary the node uses, mirroring the contracts' enums (Licenses.Kind, Licenses.Status,
// Challenges.Status, DimoPay.Status) by position, so an enum value from an event indexes these lists.

export const LICENSE_KINDS = ['client', 'node', 'app'] as const;
export type LicenseKind = (typeof LICENSE_KINDS)[number];

export const LICENSE_STATUSES = ['none', 'active', 'suspended', 'revoked', 'renounced', 'banned'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export type ChallengeStatus = 'open' | 'upheld' | 'rejected';
export type SubscriptionStatus = 'active' | 'cancelled';

/** Licenses.EXIT_DELAY: an ended license's stake unlocks this long after it ended. */
export const EXIT_DELAY_SEC = 182 * 86_400;

export const WAD = 10n ** 18n;

export function kindName(value: number | bigint): LicenseKind {
  const kind = LICENSE_KINDS[Number(value)];
  if (kind === undefined) throw new RangeError(`unknown license kind ${String(value)}`);
  return kind;
}

export function kindId(kind: LicenseKind): number {
  return LICENSE_KINDS.indexOf(kind);
}

export function statusName(value: number | bigint): LicenseStatus {
  const status = LICENSE_STATUSES[Number(value)];
  if (status === undefined) throw new RangeError(`unknown license status ${String(value)}`);
  return status;
}

export function isLicenseKind(value: string): value is LicenseKind {
  return (LICENSE_KINDS as readonly string[]).includes(value);
}

export interface LicenseMetadata {
  legalName: string;
  dba: string;
  website: string;
  supportEmail: string;
}

export interface LicenseRecord {
  licenseId: bigint;
  /** Lowercase 0x address of the current holder. */
  holder: string;
  kind: LicenseKind;
  status: LicenseStatus;
  metadata: LicenseMetadata;
  /** Wei. */
  stake: bigint;
  /** The license's own requirement floor (raised by licensing or set by governance); wei. */
  requirementFloor: bigint;
  connectedUsers: bigint;
  openChallenges: number;
  statusReason: string;
  /** Who made the last status change; undefined until one happened. */
  statusBy: string | undefined;
  /** Unix seconds the license ended (renounced, revoked, banned); 0 while live. */
  endedAtSec: number;
  /** Epoch ms of the issuing block. */
  issuedAt: number;
}

export interface ChallengeRecord {
  challengeId: bigint;
  licenseId: bigint;
  challenger: string;
  deposit: bigint;
  reasonUri: string;
  status: ChallengeStatus;
  slashed: bigint;
  burned: bigint;
  challengerReward: bigint;
  ownersTotal: bigint;
  ownersRoot: string | undefined;
  ownersClaimed: bigint;
  rulingUri: string | undefined;
  openedAt: number;
  decidedAt: number | undefined;
}

export interface SubscriptionRecord {
  subscriptionId: bigint;
  appLicenseId: bigint;
  vehicleId: bigint;
  nodeLicenseId: bigint;
  /** DIMO wei per period. */
  pricePerPeriod: bigint;
  periodSec: number;
  startSec: number;
  /** Paid up until (exclusive), unix seconds. */
  endSec: number;
  status: SubscriptionStatus;
  creator: string;
  cancelledBy: string | undefined;
  createdAt: number;
}

export interface PaymentRecord {
  paymentId: bigint;
  subscriptionId: bigint;
  payer: string;
  /** Lowercase address of the token paid in. */
  token: string;
  amount: bigint;
  dimoValue: bigint;
  periods: number;
  paidUntilSec: number;
  split: { owner: string; node: string; treasury: string; ownerShare: bigint; nodeShare: bigint; treasuryShare: bigint } | undefined;
  paidAt: number;
  txHash: string;
}
