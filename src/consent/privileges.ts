// DIMO privilege ids and the SACD 2-bit mask encoding: privilege N occupies bits 2N and 2N+1 of a uint256
// and is held only when both bits are set (privilege 1 → 0b1100 = 12). Must match contracts/Permissions.sol.
import { OdmError } from '../core/errors.ts';

export const PRIVILEGES = {
  1: 'NONLOCATION_TELEMETRY',
  2: 'COMMANDS',
  3: 'CURRENT_LOCATION',
  4: 'ALLTIME_LOCATION',
  5: 'VIN_CREDENTIAL',
  6: 'LIVE_DATA',
  7: 'RAW_DATA',
  8: 'APPROXIMATE_LOCATION',
} as const;

export type PrivilegeId = keyof typeof PRIVILEGES;

export const PRIVILEGE_IDS: readonly PrivilegeId[] = [1, 2, 3, 4, 5, 6, 7, 8];

const MAX_UINT256 = (1n << 256n) - 1n;

export function isPrivilegeId(id: unknown): id is PrivilegeId {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 8;
}

/** The two bits of one privilege. */
export function privilegeBits(id: number): bigint {
  assertPrivilegeId(id);
  return 3n << BigInt(2 * id);
}

/** Mask for a set of privilege ids (duplicates allowed, order irrelevant); unknown ids are refused. */
export function privilegesToMask(ids: Iterable<number>): bigint {
  let mask = 0n;
  for (const id of ids) mask |= privilegeBits(id);
  return mask;
}

/**
 * Privilege ids held in a mask, ascending. A privilege with only one of its bits set is not held; bits of
 * privileges this node does not know are ignored (the chain accepts future ids).
 */
export function maskToPrivileges(mask: bigint): PrivilegeId[] {
  if (typeof mask !== 'bigint' || mask < 0n || mask > MAX_UINT256) {
    throw new OdmError('ODM_ERR_VALIDATION', 'A permission mask must be a uint256 bigint', { status: 400, details: { mask: String(mask) } });
  }
  return PRIVILEGE_IDS.filter((id) => (mask & privilegeBits(id)) === privilegeBits(id));
}

function assertPrivilegeId(id: number): asserts id is PrivilegeId {
  if (!isPrivilegeId(id)) {
    throw new OdmError('ODM_ERR_PRIVILEGE_UNKNOWN', `Unknown privilege id ${String(id)}; known ids are 1–8`, {
      status: 400,
      details: { privilegeId: String(id), known: PRIVILEGE_IDS },
    });
  }
}
