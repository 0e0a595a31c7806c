// Does a grantee hold privileges on a vehicle right now? Answered from the in-memory identity mirror with
// DIMO's semantics: a per-vehicle grant counts only if its grantor is the vehicle's current owner and it
// was made at the vehicle's current token version; an account grant counts if its grantor is the current
// owner; either counts only while expiration > now (unix seconds from the node's clock). The union of
// both is what the grantee holds. No RPC and no database on this path.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { IdentityIndex } from '../identity/identity-index.ts';
import type { NodeServices } from '../node/start-node.ts';
import { PRIVILEGE_IDS, type PrivilegeId } from './privileges.ts';

export interface AccessCheck {
  /** True only if every listed privilege is held; an empty list is never held (as on chain). */
  can(grantee: string, vehicleId: bigint, privileges: readonly number[]): boolean;
  /** The listed privileges the grantee lacks, ascending; empty when `can` would say yes. */
  missing(grantee: string, vehicleId: bigint, privileges: readonly number[]): PrivilegeId[];
  /** Every privilege (1–8) the grantee holds on the vehicle now. */
  held(grantee: string, vehicleId: bigint): PrivilegeId[];
}

/** Privilege ids as a bit set (bit N = privilege N); unknown ids are refused. */
export function privilegeSet(privileges: readonly number[]): number {
  let need = 0;
  for (let i = 0; i < privileges.length; i++) {
    const id = privileges[i]!;
    if (!(id >= 1 && id <= 8 && (id | 0) === id)) {
      throw new OdmError('ODM_ERR_PRIVILEGE_UNKNOWN', `Unknown privilege id ${String(id)}; known ids are 1–8`, { status: 400, details: { privilegeId: String(id) } });
    }
    need |= 1 << id;
  }
  return need;
}

export function createAccessCheck(index: IdentityIndex, clock: Clock): AccessCheck {
  const { vehicles, vehicleGrants, accountGrants, supportedAssets } = index;
  const asset = index.vehicleAsset;

  /** Bit set of privileges held now. */
  function heldSet(grantee: string, vehicleId: bigint): number {
    const vehicle = vehicles.get(vehicleId);
    if (vehicle === undefined || !supportedAssets.has(asset)) return 0;
    const who = grantee.toLowerCase();
    const now = Math.floor(clock.now() / 1000);
    let held = 0;
    const grant = vehicleGrants.get(vehicleId)?.get(who);
    if (grant !== undefined && grant.version === vehicle.version && grant.grantor === vehicle.owner && grant.expiration > now) held = grant.held;
    const account = accountGrants.get(vehicle.owner)?.get(who);
    if (account !== undefined && account.expiration > now) held |= account.held;
    return held;
  }

  const toIds = (bits: number): PrivilegeId[] => PRIVILEGE_IDS.filter((id) => (bits & (1 << id)) !== 0);

  return {
    can(grantee, vehicleId, privileges) {
      const need = privilegeSet(privileges);
      return need !== 0 && (heldSet(grantee, vehicleId) & need) === need;
    },
    missing(grantee, vehicleId, privileges) {
      const need = privilegeSet(privileges);
      return toIds(need & ~heldSet(grantee, vehicleId));
    },
    held(grantee, vehicleId) {
      return toIds(heldSet(grantee, vehicleId));
    },
  };
}

const checks = new WeakMap<NodeServices, AccessCheck>();

/** Set by the identity capability once its mirror is loaded. */
export function setAccessCheck(services: NodeServices, check: AccessCheck | undefined): void {
  if (check) checks.set(services, check);
  else checks.delete(services);
}

/** The node's access check; ODM_ERR_UNAVAILABLE when the identity capability is not running. */
export function getAccessCheck(services: NodeServices): AccessCheck {
  const check = checks.get(services);
  if (!check) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the identity mirror is not running on this node');
  return check;
}
