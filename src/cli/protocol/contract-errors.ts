// The contracts' custom errors as stable ODM_ERR_* codes, in one table, so every protocol command refuses
// the same way: `opendimo: ODM_ERR_…: <what> refused: <why>`, with the decoded error in the details.
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, formatUnits, type Abi, type Hex } from 'viem';
import { OdmError, type ErrorCode } from '../../core/errors.ts';
import { statusName } from '../../licensing/license-types.ts';

type Args = Record<string, unknown>;

/** One `error` item of an ABI. */
export type AbiError = Extract<Abi[number], { type: 'error' }>;

interface ErrorEntry {
  code: ErrorCode;
  /** HTTP status if the error ever crosses the API; 4xx: the request was refused, not the node broken. */
  status?: number;
  why?: (a: Args) => string;
}

const dimo = (v: unknown) => `${formatUnits(v as bigint, 18)} DIMO`;
const PROPOSAL_STATES = ['pending', 'active', 'canceled', 'defeated', 'succeeded', 'queued', 'expired', 'executed'];

/** Error name → code. Names are unique across the protocol's contracts (and OpenZeppelin's). */
export const CONTRACT_ERRORS: Record<string, ErrorEntry> = {
  // Licenses
  TransferRestricted: { code: 'ODM_ERR_LICENSE_TRANSFER_RESTRICTED', why: () => 'licenses move only through the licensing team' },
  ApprovalsDisabled: { code: 'ODM_ERR_LICENSE_TRANSFER_RESTRICTED', why: () => 'licenses cannot be approved for transfer' },
  AddressIsBanned: { code: 'ODM_ERR_LICENSE_ADDRESS_BANNED', status: 403, why: (a) => `${String(a.account)} is banned and can never be licensed` },
  InvalidStatus: { code: 'ODM_ERR_LICENSE_INVALID_STATUS', status: 409, why: (a) => `license ${String(a.licenseId)} is ${statusName(Number(a.status))}` },
  NotHolder: { code: 'ODM_ERR_LICENSE_NOT_HOLDER', status: 403, why: (a) => `${String(a.caller)} does not hold license ${String(a.licenseId)}` },
  NotNodeLicense: { code: 'ODM_ERR_LICENSE_NOT_NODE', status: 400, why: (a) => `license ${String(a.licenseId)} is not a node license` },
  RequirementNotRaised: { code: 'ODM_ERR_LICENSE_REQUIREMENT_NOT_RAISED', status: 400, why: (a) => `the licensing team may only raise a requirement (now ${dimo(a.current)}, asked ${dimo(a.requested)}); lowering is for governance` },
  InvalidAmount: { code: 'ODM_ERR_AMOUNT_INVALID', status: 400, why: () => 'the amount must be above zero and within the stake' },
  ChallengeOpen: { code: 'ODM_ERR_LICENSE_CHALLENGE_OPEN', status: 409, why: (a) => `license ${String(a.licenseId)} has an open challenge; its stake is locked` },
  StakeLocked: { code: 'ODM_ERR_STAKE_LOCKED', status: 409, why: (a) => `the stake unlocks at ${new Date(Number(a.unlocksAt) * 1000).toISOString()}` },
  StakeBelowRequirement: { code: 'ODM_ERR_STAKE_BELOW_REQUIREMENT', status: 409, why: (a) => `only ${dimo(a.maxWithdrawable)} stands above the requirement of license ${String(a.licenseId)}` },
  InsufficientStake: { code: 'ODM_ERR_STAKE_INSUFFICIENT', status: 409, why: (a) => `license ${String(a.licenseId)} stakes only ${dimo(a.stake)}` },
  AlreadyLinked: { code: 'ODM_ERR_LICENSE_ALREADY_LINKED', status: 409 },
  IsController: { code: 'ODM_ERR_LICENSE_ALREADY_LINKED', status: 409 },
  NotLinked: { code: 'ODM_ERR_LICENSE_NOT_LINKED', status: 409 },
  RelayerTaken: { code: 'ODM_ERR_LICENSE_RELAYER_TAKEN', status: 409 },
  RelayerNotSet: { code: 'ODM_ERR_LICENSE_RELAYER_NOT_SET', status: 409 },
  InvalidMetadata: { code: 'ODM_ERR_VALIDATION', status: 400, why: () => 'a legal name (1–256 bytes) is required and every text field is at most 256 bytes' },
  Unauthorized: { code: 'ODM_ERR_CHAIN_UNAUTHORIZED', status: 403, why: (a) => `${String(a.caller)} may not do this` },
  AccessControlUnauthorizedAccount: { code: 'ODM_ERR_CHAIN_UNAUTHORIZED', status: 403, why: (a) => `${String(a.account)} lacks role ${String(a.neededRole)}` },
  // Challenges
  InvalidChallenge: { code: 'ODM_ERR_CHALLENGE_UNKNOWN', status: 404, why: (a) => `no challenge ${String(a.challengeId)}` },
  NotOpen: { code: 'ODM_ERR_CHALLENGE_NOT_OPEN', status: 409, why: (a) => `challenge ${String(a.challengeId)} is already decided` },
  PayoutExceedsSlash: { code: 'ODM_ERR_CHALLENGE_PAYOUT_TOO_LARGE', status: 400, why: (a) => `owners' payout ${dimo(a.ownersTotal)} exceeds the ${dimo(a.available)} left after the challenger's reward` },
  MissingPayoutRoot: { code: 'ODM_ERR_CHALLENGE_PAYOUT_ROOT_MISSING', status: 400, why: () => "an owners' payout needs a Merkle root (--owners-root)" },
  UriTooLong: { code: 'ODM_ERR_VALIDATION', status: 400, why: () => 'the URI must be 1–512 bytes' },
  AlreadyClaimed: { code: 'ODM_ERR_CHALLENGE_PAYOUT_CLAIMED', status: 409 },
  InvalidProof: { code: 'ODM_ERR_CHALLENGE_PROOF_INVALID', status: 400 },
  PayoutExhausted: { code: 'ODM_ERR_CHALLENGE_PAYOUT_EXHAUSTED', status: 409 },
  InvalidParameter: { code: 'ODM_ERR_VALIDATION', status: 400, why: () => 'a parameter is out of range' },
  // Issuance
  WeekNotStarted: { code: 'ODM_ERR_ISSUANCE_WEEK_NOT_STARTED', status: 409, why: (a) => `week ${String(a.week)} starts at ${new Date(Number(a.startsAt) * 1000).toISOString()}` },
  NotStarted: { code: 'ODM_ERR_ISSUANCE_NOT_STARTED', status: 409 },
  InvalidSplit: { code: 'ODM_ERR_VALIDATION', status: 400, why: () => 'the basis points must sum to 10,000' },
  InvalidRecipient: { code: 'ODM_ERR_VALIDATION', status: 400 },
  // DimoPay and PriceFeed
  NotAppLicense: { code: 'ODM_ERR_PAY_NOT_APP_LICENSE', status: 400, why: (a) => `license ${String(a.licenseId)} is not an app license` },
  LicenseInactive: { code: 'ODM_ERR_PAY_LICENSE_INACTIVE', status: 403, why: (a) => `license ${String(a.licenseId)} is not active (status, ban or stake)` },
  NotLicenseHolder: { code: 'ODM_ERR_PAY_NOT_LICENSE_HOLDER', status: 403, why: (a) => `${String(a.caller)} does not hold app license ${String(a.licenseId)}` },
  PriceTooLow: { code: 'ODM_ERR_PAY_PRICE_TOO_LOW', status: 400, why: (a) => `the price ${dimo(a.price)} is below the minimum ${dimo(a.minimum)} per period` },
  VehiclesUnset: { code: 'ODM_ERR_PAY_UNAVAILABLE', status: 503, why: () => 'DimoPay has no vehicle registry yet' },
  UnknownSubscription: { code: 'ODM_ERR_PAY_SUBSCRIPTION_UNKNOWN', status: 404, why: (a) => `no subscription ${String(a.subscriptionId)}` },
  SubscriptionNotActive: { code: 'ODM_ERR_PAY_SUBSCRIPTION_INACTIVE', status: 409, why: (a) => `subscription ${String(a.subscriptionId)} is not active` },
  PriceUnavailable: { code: 'ODM_ERR_PAY_TOKEN_UNPRICED', status: 400, why: (a) => `the price feed has no price for ${String(a.token)}` },
  // Governor and Timelock (OpenZeppelin 5)
  GovernorUnexpectedProposalState: { code: 'ODM_ERR_GOV_PROPOSAL_STATE', status: 409, why: (a) => `proposal ${String(a.proposalId)} is ${PROPOSAL_STATES[Number(a.current)] ?? String(a.current)}` },
  GovernorNonexistentProposal: { code: 'ODM_ERR_GOV_PROPOSAL_UNKNOWN', status: 404, why: (a) => `no proposal ${String(a.proposalId)}` },
  GovernorAlreadyCastVote: { code: 'ODM_ERR_GOV_ALREADY_VOTED', status: 409, why: (a) => `${String(a.voter)} has already voted` },
  GovernorInsufficientProposerVotes: { code: 'ODM_ERR_GOV_PROPOSER_VOTES', status: 403, why: (a) => `the proposer has ${dimo(a.votes)} of votes, the threshold is ${dimo(a.threshold)}` },
  GovernorInvalidProposalLength: { code: 'ODM_ERR_VALIDATION', status: 400 },
  GovernorInvalidVoteType: { code: 'ODM_ERR_VALIDATION', status: 400 },
  GovernorRestrictedProposer: { code: 'ODM_ERR_CHAIN_UNAUTHORIZED', status: 403 },
  TimelockUnexpectedOperationState: { code: 'ODM_ERR_GOV_TIMELOCK_NOT_READY', status: 409, why: () => 'the timelock operation is not ready (the delay has not passed, or it already ran)' },
  TimelockUnauthorizedCaller: { code: 'ODM_ERR_CHAIN_UNAUTHORIZED', status: 403 },
  DelayTooShort: { code: 'ODM_ERR_VALIDATION', status: 400 },
  // ERC-20 / ERC-721 (OpenZeppelin 5)
  ERC20InsufficientBalance: { code: 'ODM_ERR_TOKEN_BALANCE_TOO_LOW', status: 402, why: (a) => `${String(a.sender)} holds ${String(a.balance)} base units, needs ${String(a.needed)}` },
  ERC20InsufficientAllowance: { code: 'ODM_ERR_TOKEN_ALLOWANCE_TOO_LOW', status: 402 },
  ERC721NonexistentToken: { code: 'ODM_ERR_TOKEN_NOT_FOUND', status: 404, why: (a) => `token ${String(a.tokenId)} does not exist` },
};

/** Every error fragment of every ABI, once per selector: lets one decoder read errors raised by nested calls. */
export function errorFragments(abis: Iterable<Abi>): AbiError[] {
  const seen = new Map<string, AbiError>();
  for (const abi of abis) {
    for (const item of abi) {
      if (item.type !== 'error') continue;
      const key = `${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
      if (!seen.has(key)) seen.set(key, item);
    }
  }
  return [...seen.values()];
}

/**
 * Turns a failed call into an OdmError: a custom error through the table (unknown ones as
 * ODM_ERR_CHAIN_REVERTED), a bare revert likewise, anything else as ODM_ERR_CHAIN_UNAVAILABLE.
 * `overrides` lets one command read an error its own way (e.g. `license show` of a missing token).
 */
export function protocolError(err: unknown, what: string, errors: readonly AbiError[], overrides: Record<string, ErrorCode> = {}): OdmError {
  if (err instanceof OdmError) return err;
  const decoded = decodeRevert(err, errors);
  if (decoded) {
    const entry = CONTRACT_ERRORS[decoded.name];
    const named = namedArgs(decoded.name, decoded.args, errors);
    const why = entry?.why?.(named) ?? `${decoded.name}(${Object.entries(named).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
    const code = overrides[decoded.name] ?? entry?.code ?? 'ODM_ERR_CHAIN_REVERTED';
    return new OdmError(code, `${what} refused: ${why}`, {
      status: entry?.status ?? 422,
      details: { error: decoded.name, args: Object.fromEntries(Object.entries(named).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])) },
      cause: err,
    });
  }
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      return new OdmError('ODM_ERR_CHAIN_REVERTED', `${what} refused: ${reverted.reason ?? 'the contract reverted without a reason'}`, { status: 422, cause: err });
    }
    return new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `${what} failed: ${err.shortMessage}`, { cause: err });
  }
  return new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

function decodeRevert(err: unknown, errors: readonly AbiError[]): { name: string; args: readonly unknown[] } | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName && reverted.data.errorName !== 'Error' && reverted.data.errorName !== 'Panic') {
    return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
  const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string' && (e as { data: string }).data.startsWith('0x'));
  const data = (withData as { data?: Hex } | null)?.data ?? (reverted instanceof ContractFunctionRevertedError ? reverted.raw : undefined);
  if (!data || data.length < 10) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: errors as Abi, data });
    if (decoded.errorName === 'Error' || decoded.errorName === 'Panic') return undefined;
    return { name: decoded.errorName, args: decoded.args ?? [] };
  } catch {
    return undefined;
  }
}

function namedArgs(name: string, args: readonly unknown[], errors: readonly AbiError[]): Args {
  const fragment = errors.find((e) => e.name === name && e.inputs.length === args.length);
  return Object.fromEntries(args.map((v, i) => [fragment?.inputs[i]?.name || `arg${i}`, v]));
}
