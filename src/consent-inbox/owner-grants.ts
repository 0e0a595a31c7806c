// The access an owner has granted: every grant on their vehicles in the current owner epoch (revoked ones
// left out, expired ones marked), with the license the grantee acts for and the consent document agreed to.
import { formatAssetDid } from '../consent/asset-did.ts';
import { maskToPrivileges } from '../consent/privileges.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import type { LicensingIndex } from '../licensing/licensing-index.ts';
import { getLicensingMirror } from '../licensing/licensing-services.ts';
import type { NodeServices } from '../node/start-node.ts';
import { licenseOfGrantee, licenseView } from '../console/license-view.ts';
import type { OwnerGrant } from '../api/shapes/owner-grant.ts';
import { ConsentDocuments } from './consent-documents.ts';

const documents = new WeakMap<NodeServices, ConsentDocuments>();

export function getConsentDocuments(services: NodeServices): ConsentDocuments {
  let d = documents.get(services);
  if (!d) documents.set(services, (d = new ConsentDocuments(services.store, services.clock)));
  return d;
}

export type { OwnerGrant };

export async function ownerGrants(services: NodeServices, owner: string): Promise<OwnerGrant[]> {
  const index = getIdentityRuntime(services).mirror.index;
  let licensing: LicensingIndex | undefined;
  try {
    licensing = getLicensingMirror(services).index;
  } catch {
    licensing = undefined; // licensing not running: grants still listed, without license facts
  }
  const nowSec = Math.floor(services.clock.now() / 1000);
  const rows = [];
  for (const vehicleId of index.vehicleIds(owner)) {
    for (const g of index.currentGrants(vehicleId)) {
      const privileges = maskToPrivileges(g.permissions);
      if (privileges.length > 0) rows.push({ vehicleId: vehicleId.toString(), grant: g, privileges });
    }
  }
  const hashes = rows.map((r) => r.grant.source).filter((s) => /^0x[0-9a-f]{64}$/i.test(s) && !/^0x0{64}$/.test(s));
  const docs = await getConsentDocuments(services).byHashes(hashes);
  const vehicleContract = services.chain.contracts.VehicleId;
  return rows.map(({ vehicleId, grant, privileges }) => {
    const license = licensing ? licenseOfGrantee(licensing, grant.grantee) : undefined;
    const doc = docs.get(grant.source.toLowerCase());
    return {
      vehicleId, grantee: grant.grantee, privileges, expiration: grant.expiration, active: grant.expiration > nowSec, source: grant.source, grantedAt: grant.grantedAt,
      asset: vehicleContract ? formatAssetDid({ chainId: services.chain.chainId, contract: vehicleContract, tokenId: BigInt(vehicleId) }) : null,
      license: license && licensing ? licenseView(licensing, license) : null,
      document: doc ? { purpose: doc.data.purpose, streams: doc.data.streams ?? [], signedAt: doc.time } : null,
    };
  });
}
