// The one check every owner data route makes: the vehicle exists on chain and the signed-in owner is
// its current owner. Data is always read in the current owner epoch (a previous owner's data is not
// theirs to read, and after a transfer the new owner starts empty).
import { OdmError } from '../../core/errors.ts';
import { getIdentityRuntime } from '../../identity/identity-runtime.ts';
import type { VehicleRecord } from '../../identity/identity-index.ts';
import type { NodeServices } from '../../node/start-node.ts';

export function ownedVehicle(services: NodeServices, owner: string, tokenId: bigint): VehicleRecord {
  const vehicle = getIdentityRuntime(services).mirror.index.vehicles.get(tokenId);
  if (!vehicle) throw new OdmError('ODM_ERR_NOT_FOUND', `vehicle ${tokenId} is not known on chain`);
  if (vehicle.owner !== owner.toLowerCase()) throw new OdmError('ODM_ERR_NOT_OWNER', `vehicle ${tokenId} is not yours`);
  return vehicle;
}

export function ownedVehicleIds(services: NodeServices, owner: string): readonly bigint[] {
  return getIdentityRuntime(services).mirror.index.vehicleIds(owner.toLowerCase());
}
