// The identity mirror as one unit: the chain indexer with the identity handlers, the in-memory index it
// keeps current, and the views other modules use (IdentityLookup, AccessCheck).
import type { Address } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import { createMirrorIndexer, type MirrorIndexerOptions } from '../chain/indexer/mirror-indexer.ts';
import { createAccessCheck, type AccessCheck } from '../consent/access-check.ts';
import { registerIdentityHandlers } from './identity-handlers.ts';
import { IdentityIndex } from './identity-index.ts';
import type { IdentityLookup } from './identity-lookup.ts';

export type IdentityMirrorOptions = MirrorIndexerOptions;

/** Bump when the identity handlers change what they write: the mirror is then rebuilt from the chain. */
export const IDENTITY_MIRROR_VERSION = '1';

export class IdentityMirror {
  readonly index: IdentityIndex;
  readonly indexer: ChainIndexer;
  readonly access: AccessCheck;
  readonly lookup: IdentityLookup;

  private constructor(opts: IdentityMirrorOptions, vehicleId: Address) {
    this.index = new IdentityIndex(vehicleId);
    this.indexer = createMirrorIndexer(opts, { name: 'identity', version: IDENTITY_MIRROR_VERSION, index: this.index });
    registerIdentityHandlers(this.indexer, vehicleId);
    this.access = createAccessCheck(this.index, opts.clock);
    const index = this.index;
    this.lookup = {
      deviceByAddress: (address) => index.deviceByAddress(address),
      vehicle(tokenId) {
        const v = index.vehicles.get(tokenId);
        return v ? { tokenId: v.tokenId, owner: v.owner, version: v.version } : undefined;
      },
    };
  }

  /**
   * Prepares the cursor and loads the index from the tables; does not follow the chain yet. `follow`:
   * another process leads (see ChainIndexer.open).
   */
  static async open(opts: IdentityMirrorOptions, mode: { follow?: boolean } = {}): Promise<IdentityMirror> {
    const vehicleId = opts.contracts.VehicleId;
    if (!vehicleId) throw new OdmError('ODM_ERR_INDEXER_CONFIG', 'the deployment has no VehicleId contract');
    const mirror = new IdentityMirror(opts, vehicleId);
    await mirror.indexer.open(mode);
    await mirror.index.load(opts.store.db);
    return mirror;
  }

  start(): Promise<void> {
    return this.indexer.start();
  }

  stop(): Promise<void> {
    return this.indexer.stop();
  }
}
