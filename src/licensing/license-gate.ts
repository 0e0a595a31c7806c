// Is a license allowed to receive owners' data right now? Licenses.isActive, answered from the in-memory
// licensing mirror (no RPC, no database), with one stable code per reason it is not, all HTTP 403:
//   ODM_ERR_LICENSE_UNKNOWN      no such license (or the address holds none)
//   ODM_ERR_LICENSE_BANNED       the license is banned, or its holder's identity is (bans reach every
//                                license of the identity and of every address linked to it)
//   ODM_ERR_LICENSE_REVOKED / ODM_ERR_LICENSE_RENOUNCED / ODM_ERR_LICENSE_SUSPENDED
//   ODM_ERR_LICENSE_UNDERSTAKED  stake below the required stake (trust ratio < 1; ratio in details)
//   ODM_ERR_LICENSE_KIND         the license is not of a kind the caller accepts
import { formatUnits } from 'viem';
import { OdmError, type ErrorCode } from '../core/errors.ts';
import { WAD, type LicenseKind, type LicenseRecord } from './license-types.ts';
import type { LicensingIndex } from './licensing-index.ts';
import { formatRatio, requiredStake, trustRatio } from './stake-math.ts';

/** A license id (bigint, safe integer or decimal string) or a 0x address (holder, linked address or node relayer). */
export type LicenseRef = bigint | number | string;

export interface ActiveLicense {
  license: LicenseRecord;
  /** Wei. */
  required: bigint;
  /** 18-decimal fixed point; ≥ 1e18 here. */
  trustRatio: bigint;
}

export interface LicenseGateOptions {
  /** Accept only these kinds (default: any). */
  kinds?: readonly LicenseKind[];
}

export type LicenseDecision = { ok: true; active: ActiveLicense } | { ok: false; error: OdmError };

export interface LicenseGate {
  /** The license answering for `ref` if it may receive data now; throws the refusal otherwise. */
  assertLicenseActive(ref: LicenseRef, opts?: LicenseGateOptions): ActiveLicense;
  /** The same decision, returned instead of thrown (a malformed `ref` still throws ODM_ERR_VALIDATION). */
  check(ref: LicenseRef, opts?: LicenseGateOptions): LicenseDecision;
}

type Parsed = { licenseId: bigint } | { address: string };

export function parseLicenseRef(ref: LicenseRef): Parsed {
  if (typeof ref === 'bigint' && ref >= 0n) return { licenseId: ref };
  if (typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 0) return { licenseId: BigInt(ref) };
  if (typeof ref === 'string') {
    if (/^0x[0-9a-fA-F]{40}$/.test(ref)) return { address: ref.toLowerCase() };
    if (/^\d{1,78}$/.test(ref)) return { licenseId: BigInt(ref) };
  }
  throw new OdmError('ODM_ERR_VALIDATION', 'a license is named by its id or by a 0x address', { details: { license: String(ref) } });
}

// Which refusal to report when an address holds several licenses and none passes: the one closest to
// passing, since that is what its holder can act on.
const RANK: Partial<Record<ErrorCode, number>> = {
  ODM_ERR_LICENSE_UNDERSTAKED: 0,
  ODM_ERR_LICENSE_SUSPENDED: 1,
  ODM_ERR_LICENSE_RENOUNCED: 2,
  ODM_ERR_LICENSE_REVOKED: 3,
  ODM_ERR_LICENSE_BANNED: 4,
};

export function createLicenseGate(index: LicensingIndex): LicenseGate {
  const dimo = (wei: bigint) => `${formatUnits(wei, 18)} DIMO`;
  const name = (l: LicenseRecord) => `license ${l.licenseId} (${l.kind}, ${l.metadata.legalName})`;
  const base = (l: LicenseRecord) => ({ licenseId: l.licenseId.toString(), kind: l.kind, holder: l.holder, status: l.status });

  /** Why `l` may not receive data, or its standing when it may. */
  function judge(l: LicenseRecord): ActiveLicense | OdmError {
    const ban = index.banOf(l.holder);
    if (l.status === 'banned' || ban) {
      return refuse('ODM_ERR_LICENSE_BANNED', `${name(l)} is banned${ban ? ` (identity ${ban.identity}: ${ban.reason})` : `: ${l.statusReason}`}`, {
        ...base(l),
        identity: index.controllerOf(l.holder),
        reason: ban?.reason ?? l.statusReason,
      });
    }
    if (l.status === 'revoked') return refuse('ODM_ERR_LICENSE_REVOKED', `${name(l)} was revoked: ${l.statusReason}`, { ...base(l), reason: l.statusReason });
    if (l.status === 'renounced') return refuse('ODM_ERR_LICENSE_RENOUNCED', `${name(l)} was renounced by its holder`, base(l));
    if (l.status === 'suspended') return refuse('ODM_ERR_LICENSE_SUSPENDED', `${name(l)} is suspended: ${l.statusReason}`, { ...base(l), reason: l.statusReason });
    if (l.status !== 'active') return refuse('ODM_ERR_LICENSE_UNKNOWN', `${name(l)} is not issued`, base(l));
    const required = requiredStake(l, index.params);
    const ratio = trustRatio(l, index.params);
    if (ratio < WAD) {
      return refuse('ODM_ERR_LICENSE_UNDERSTAKED', `${name(l)} stakes ${dimo(l.stake)} of the ${dimo(required)} it requires (trust ratio ${formatRatio(ratio)} < 1)`, {
        ...base(l),
        stake: l.stake.toString(),
        required: required.toString(),
        trustRatio: formatRatio(ratio),
        trustRatioWad: ratio.toString(),
      });
    }
    return { license: l, required, trustRatio: ratio };
  }

  function decideById(licenseId: bigint, kinds: readonly LicenseKind[] | undefined): ActiveLicense | OdmError {
    const l = index.license(licenseId);
    if (!l) return refuse('ODM_ERR_LICENSE_UNKNOWN', `no license ${licenseId} is known to this node`, { licenseId: licenseId.toString() });
    if (kinds && !kinds.includes(l.kind)) return refuse('ODM_ERR_LICENSE_KIND', `${name(l)} is not ${kinds.map(article).join(' or ')} license`, { ...base(l), accepted: [...kinds] });
    return judge(l);
  }

  function decideByAddress(address: string, kinds: readonly LicenseKind[] | undefined): ActiveLicense | OdmError {
    const identity = index.controllerOf(address);
    const ban = index.banOf(address);
    if (ban) return refuse('ODM_ERR_LICENSE_BANNED', `${address} belongs to banned identity ${ban.identity}: ${ban.reason}`, { address, identity, reason: ban.reason });
    const candidates = index.licensesOf(address);
    const relayed = index.relayerLicense(address);
    if (relayed !== undefined && !candidates.some((l) => l.licenseId === relayed)) {
      const l = index.license(relayed);
      if (l) candidates.push(l);
    }
    const eligible = kinds ? candidates.filter((l) => kinds.includes(l.kind)) : candidates;
    if (eligible.length === 0) {
      const what = kinds ? `${kinds.join(' or ')} license` : 'license';
      return refuse('ODM_ERR_LICENSE_UNKNOWN', `${address} holds no ${what} known to this node`, { address, identity, ...(kinds ? { accepted: [...kinds] } : {}) });
    }
    let best: OdmError | undefined;
    for (const l of eligible) {
      const verdict = judge(l);
      if (!(verdict instanceof OdmError)) return verdict;
      if (!best || (RANK[verdict.code] ?? 9) <= (RANK[best.code] ?? 9)) best = verdict;
    }
    return best!;
  }

  function decide(ref: LicenseRef, opts: LicenseGateOptions = {}): ActiveLicense | OdmError {
    const parsed = parseLicenseRef(ref);
    return 'licenseId' in parsed ? decideById(parsed.licenseId, opts.kinds) : decideByAddress(parsed.address, opts.kinds);
  }

  return {
    assertLicenseActive(ref, opts) {
      const verdict = decide(ref, opts);
      if (verdict instanceof OdmError) throw verdict;
      return verdict;
    },
    check(ref, opts) {
      const verdict = decide(ref, opts);
      return verdict instanceof OdmError ? { ok: false, error: verdict } : { ok: true, active: verdict };
    },
  };
}

function refuse(code: ErrorCode, message: string, details: Record<string, unknown>): OdmError {
  return new OdmError(code, message, { status: 403, details });
}

function article(kind: LicenseKind): string {
  return kind === 'app' ? 'an app' : `a ${kind}`;
}
