// The access questions live streams and webhooks ask about an app and a vehicle, answered from the
// node's in-memory mirrors (no RPC, no database), plus a signal when the answers may have changed:
// every committed block of the identity mirror (grants, revocations, transfers) and of the licensing
// mirror (status, stake, bans, links), and every wholesale reload of either.
import { getAccessCheck } from '../consent/access-check.ts';
import { OdmError } from '../core/errors.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import { authorizeDataAccess, getLicensingMirror } from '../licensing/licensing-services.ts';
import type { DataAccessRequest } from '../licensing/data-access.ts';
import type { NodeServices } from '../node/start-node.ts';

export interface AccessGrant {
  /** Lowercase. */
  grantee: string;
  licenseId: string;
  /** What the activity log shows the owner. */
  appName: string;
  /** The vehicle's owner now (lowercase). */
  owner: string;
}

export interface AppAccess {
  /** The license gate and the owner's consent for `privileges`; throws their refusal (403). */
  authorize(request: DataAccessRequest): AccessGrant;
  /** Privileges (1–8) the grantee holds on the vehicle now. */
  held(grantee: string, vehicleId: bigint): number[];
  /** Epoch ms at which a grant the grantee holds on the vehicle next expires; undefined if none does. */
  nextExpiry(grantee: string, vehicleId: bigint): number | undefined;
  /** The vehicle's owner and owner epoch, if the vehicle exists. */
  vehicle(vehicleId: bigint): { owner: string; version: number } | undefined;
  /** Vehicles on which the grantee holds every one of `privileges` now, ascending. */
  sharedVehicles(grantee: string, privileges: readonly number[]): bigint[];
  /** Called (synchronously, after the mirrors applied it) whenever access may have changed. */
  onChange(listener: () => void): () => void;
}

/** AppAccess over the running node's mirrors. Fails closed (503) while a mirror is not running. */
export function nodeAppAccess(services: NodeServices): AppAccess {
  return {
    authorize(request) {
      const d = authorizeDataAccess(services, request);
      const owner = nodeVehicle(services, request.vehicleId)?.owner;
      if (!owner) throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', `vehicle ${request.vehicleId} does not exist`, { status: 404 });
      const meta = d.license.metadata;
      return { grantee: d.grantee, licenseId: d.license.licenseId.toString(), appName: meta.dba || meta.legalName || `license ${d.license.licenseId}`, owner };
    },
    held: (grantee, vehicleId) => getAccessCheck(services).held(grantee, vehicleId),
    nextExpiry(grantee, vehicleId) {
      const index = getIdentityRuntime(services).mirror.index;
      const v = index.vehicles.get(vehicleId);
      if (!v) return undefined;
      const who = grantee.toLowerCase();
      const now = Math.floor(services.clock.now() / 1000);
      let next = Infinity;
      const grant = index.vehicleGrants.get(vehicleId)?.get(who);
      if (grant && grant.version === v.version && grant.grantor === v.owner && grant.expiration > now) next = Math.min(next, grant.expiration);
      const account = index.accountGrants.get(v.owner)?.get(who);
      if (account && account.expiration > now) next = Math.min(next, account.expiration);
      return Number.isFinite(next) ? next * 1000 : undefined;
    },
    vehicle: (vehicleId) => nodeVehicle(services, vehicleId),
    sharedVehicles(grantee, privileges) {
      const index = getIdentityRuntime(services).mirror.index;
      const check = getAccessCheck(services);
      const who = grantee.toLowerCase();
      const candidates = new Set<bigint>();
      for (const [vehicleId, grants] of index.vehicleGrants) if (grants.has(who)) candidates.add(vehicleId);
      for (const [grantor, grants] of index.accountGrants) if (grants.has(who)) for (const id of index.vehicleIds(grantor)) candidates.add(id);
      return [...candidates].filter((id) => check.can(who, id, privileges)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    onChange(listener) {
      const offs: Array<() => void> = [];
      const fire = () => listener();
      try {
        const indexer = getIdentityRuntime(services).mirror.indexer;
        offs.push(indexer.onCommit(fire), indexer.onReset(fire));
      } catch {
        // No identity mirror on this node: access checks fail closed anyway.
      }
      try {
        const indexer = getLicensingMirror(services).indexer;
        offs.push(indexer.onCommit(fire), indexer.onReset(fire));
      } catch {
        // No licensing mirror: authorizeDataAccess answers 503, which closes every stream.
      }
      return () => offs.forEach((off) => off());
    },
  };
}

function nodeVehicle(services: NodeServices, vehicleId: bigint): { owner: string; version: number } | undefined {
  const v = getIdentityRuntime(services).mirror.index.vehicles.get(vehicleId);
  return v ? { owner: v.owner, version: v.version } : undefined;
}
