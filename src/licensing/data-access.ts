// The one decision the app-access paths (API reads, live streams, webhooks) make before serving an owner's
// data: the license gate first (active, not banned, trust ratio ≥ 1), then the owner's consent for every
// privilege asked (src/consent/access-check.ts). Both answer from memory, so this runs on every read.
import { OdmError } from '../core/errors.ts';
import type { AccessCheck } from '../consent/access-check.ts';
import type { PrivilegeId } from '../consent/privileges.ts';
import type { LicenseKind } from './license-types.ts';
import type { ActiveLicense, LicenseGate, LicenseRef } from './license-gate.ts';
import type { LicensingIndex } from './licensing-index.ts';

export interface DataAccessRequest {
  /** The license the app acts under; when absent, the license is found from `grantee`'s address. */
  licenseId?: LicenseRef;
  /** The address the owner granted consent to; must belong to the license holder's identity. */
  grantee: string;
  vehicleId: bigint;
  /** Privilege ids (1–8) the access needs; all must be held. */
  privileges: readonly number[];
  /** Accept only these license kinds (default: any kind). */
  kinds?: readonly LicenseKind[];
}

export interface DataAccessDecision extends ActiveLicense {
  /** Lowercase. */
  grantee: string;
  vehicleId: bigint;
  privileges: PrivilegeId[];
}

export interface DataAccessGate {
  /**
   * Throws the license gate's refusal (ODM_ERR_LICENSE_*), ODM_ERR_LICENSE_GRANTEE_MISMATCH when the
   * grantee is not the license's, ODM_ERR_PRIVILEGE_UNKNOWN (400) for an unknown privilege id, or
   * ODM_ERR_CONSENT_MISSING with the missing privileges; all refusals are 403 unless stated.
   */
  authorizeDataAccess(request: DataAccessRequest): DataAccessDecision;
}

export interface DataAccessDeps {
  gate: LicenseGate;
  index: LicensingIndex;
  /** The consent check, or how to get it (the identity mirror may come up after this gate). */
  access: AccessCheck | (() => AccessCheck);
}

export function createDataAccessGate(deps: DataAccessDeps): DataAccessGate {
  const access = typeof deps.access === 'function' ? deps.access : () => deps.access as AccessCheck;
  return {
    authorizeDataAccess(request) {
      if (!/^0x[0-9a-fA-F]{40}$/.test(request.grantee)) {
        throw new OdmError('ODM_ERR_VALIDATION', 'the grantee must be a 0x address', { details: { grantee: String(request.grantee) } });
      }
      const grantee = request.grantee.toLowerCase();
      const active = deps.gate.assertLicenseActive(request.licenseId ?? grantee, request.kinds ? { kinds: request.kinds } : {});
      const holderIdentity = deps.index.controllerOf(active.license.holder);
      if (deps.index.controllerOf(grantee) !== holderIdentity) {
        throw new OdmError('ODM_ERR_LICENSE_GRANTEE_MISMATCH', `${grantee} does not act for license ${active.license.licenseId}: it is neither its holder nor linked to the holder`, {
          status: 403,
          details: { licenseId: active.license.licenseId.toString(), grantee, holder: active.license.holder },
        });
      }
      const check = access();
      const missing = check.missing(grantee, request.vehicleId, request.privileges);
      if (missing.length > 0 || request.privileges.length === 0) {
        throw new OdmError('ODM_ERR_CONSENT_MISSING', `the owner of vehicle ${request.vehicleId} has not granted ${grantee} privilege${missing.length === 1 ? '' : 's'} ${missing.join(', ') || '(none asked)'}`, {
          status: 403,
          details: { vehicleId: request.vehicleId.toString(), grantee, missing },
        });
      }
      return { ...active, grantee, vehicleId: request.vehicleId, privileges: [...new Set(request.privileges)].sort((a, b) => a - b) as PrivilegeId[] };
    },
  };
}
