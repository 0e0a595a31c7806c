// Deleting what an owner asked to delete, then reading back what remains:
//   a vehicle   → its OEM connections disconnected (polling stops, the synthetic device is burned, OEM
//                 tokens shredded once unused), its glovebox emptied, its consent documents dropped, and
//                 its vault data crypto-shredded (keys destroyed with the ciphertext);
//   the account → every vehicle as above, every other vehicle epoch the owner held, the activity log
//                 (its key destroyed), and the email account with the sealed wallet.
// Grants stay on chain until the owner revokes them; the dashboard revokes them (owner-signed) first.
import { getActivityLog } from '../../activity/activity-log.ts';
import { getConnectors } from '../../connectors/connectors-context.ts';
import { OwnerControl } from '../../connectors/control/owner-control.ts';
import { formatAssetDid } from '../../consent/asset-did.ts';
import { OdmError } from '../../core/errors.ts';
import { getGlovebox } from '../../glovebox/glovebox-service.ts';
import { getIngestService } from '../../ingest/ingest-capability.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getConsentDocuments } from '../../consent-inbox/owner-grants.ts';
import { getOwnerAccounts } from '../accounts/owner-accounts-service.ts';
import { connectionsOf } from '../data/owner-vehicles.ts';
import { ownedVehicle, ownedVehicleIds } from '../data/owned-vehicle.ts';
import type { RecentTelemetry } from '../data/recent-telemetry.ts';
import { accountRemains, vehicleRemains } from './what-remains.ts';

export const vehicleConfirmation = (tokenId: string) => `delete vehicle ${tokenId}`;
export const ACCOUNT_CONFIRMATION = 'delete my account';

async function disconnectAll(services: NodeServices, owner: string, match: (vehicleId: string | null) => boolean): Promise<number> {
  const live = (await connectionsOf(services, owner)).filter((c) => c.state !== 'disconnected' && match(c.vehicleId));
  if (live.length === 0) return 0;
  const control = new OwnerControl(getConnectors(services));
  for (const c of live) await control.disconnect(owner, c.id);
  return live.length;
}

export async function eraseVehicle(services: NodeServices, recent: RecentTelemetry, owner: string, tokenId: bigint, confirm: string, record = true) {
  const id = String(tokenId);
  if (confirm !== vehicleConfirmation(id)) {
    throw new OdmError('ODM_ERR_CONFIRMATION_MISMATCH', `type "${vehicleConfirmation(id)}" to confirm`, { details: { expected: vehicleConfirmation(id) } });
  }
  const v = ownedVehicle(services, owner, tokenId);
  const disconnected = await disconnectAll(services, owner, (vehicleId) => vehicleId === id);
  const documents = await getGlovebox(services).removeVehicle(id, [v.version]);
  const vehicleContract = services.chain.contracts.VehicleId;
  const consents = vehicleContract ? await getConsentDocuments(services).removeAsset(formatAssetDid({ chainId: services.chain.chainId, contract: vehicleContract, tokenId })) : 0;
  const shred = await getIngestService(services).vault.shredder.shredVehicle(id, [v.version]);
  recent.forget(id);
  if (record) {
    await getActivityLog(services).append({ owner, kind: 'delete', vehicleId: id, detail: { what: 'vehicle data', connectionsRemoved: disconnected, documents, consentDocuments: consents, keysDestroyed: shred.keys, rowsDeleted: shred.rows } });
  }
  return { vehicleId: id, deleted: { connections: disconnected, documents, consentDocuments: consents, keys: shred.keys, rows: shred.rows }, remaining: await vehicleRemains(services, owner, id, v.version) };
}

export async function eraseAccount(services: NodeServices, recent: RecentTelemetry, owner: string, confirm: string) {
  if (confirm !== ACCOUNT_CONFIRMATION) {
    throw new OdmError('ODM_ERR_CONFIRMATION_MISMATCH', `type "${ACCOUNT_CONFIRMATION}" to confirm`, { details: { expected: ACCOUNT_CONFIRMATION } });
  }
  const vehicles = [];
  for (const id of ownedVehicleIds(services, owner)) vehicles.push(await eraseVehicle(services, recent, owner, id, vehicleConfirmation(String(id)), false));
  // Connections still waiting for their vehicle, and vehicle epochs the owner held before a transfer.
  const pending = await disconnectAll(services, owner, () => true);
  const shred = await getIngestService(services).vault.shredder.shredOwner(owner);
  const documents = await getGlovebox(services).removeOwner(owner);
  const consents = await getConsentDocuments(services).removeGrantor(owner);
  await getActivityLog(services).shred(owner);
  const account = await getOwnerAccounts(services).remove(owner);
  return {
    deleted: { vehicles: vehicles.length, pendingConnections: pending, otherEpochKeys: shred.keys, documents, consentDocuments: consents, activityLog: true, emailAccount: account },
    remaining: await accountRemains(services, owner),
  };
}
