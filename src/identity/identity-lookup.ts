// What other node modules (ingest's signature verification, app access) ask about on-chain identity.
// Answered from the in-memory identity mirror: no RPC and no database on the hot path.
import type { NodeServices } from '../node/start-node.ts';
import { OdmError } from '../core/errors.ts';

export interface DeviceIdentity {
  kind: 'synthetic' | 'aftermarket';
  tokenId: bigint;
  /** The vehicle the device is paired with (synthetic devices always are), if any. */
  vehicleId: bigint | undefined;
}

export interface VehicleIdentity {
  tokenId: bigint;
  /** Lowercase 0x address of the current owner. */
  owner: string;
  /** Bumped on every transfer; grants made at an older version are void. */
  version: number;
}

export interface IdentityLookup {
  /**
   * A device by its signing address (lowercase or checksummed); undefined for unknown and burned devices
   * (a burned address stays registered on chain, but it may not send data any more).
   */
  deviceByAddress(address: string): DeviceIdentity | undefined;
  vehicle(tokenId: bigint): VehicleIdentity | undefined;
}

const lookups = new WeakMap<NodeServices, IdentityLookup>();

/** Set by the identity capability when its mirror is loaded. */
export function setIdentityLookup(services: NodeServices, lookup: IdentityLookup | undefined): void {
  if (lookup) lookups.set(services, lookup);
  else lookups.delete(services);
}

/** The node's identity lookup; ODM_ERR_UNAVAILABLE if the identity capability is not running. */
export function getIdentityLookup(services: NodeServices): IdentityLookup {
  const lookup = lookups.get(services);
  if (!lookup) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the identity mirror is not running on this node');
  return lookup;
}
