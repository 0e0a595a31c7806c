// The identity mirror as one unit: the chain indexer with the identity handlers, the in-memory index it
// keeps current, and the views other modules use (IdentityLookup, AccessCheck).
import type { Abi, Address } from 'viem';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Store } from '../store/store.ts';
import type { ChainPublicClient } from '../chain/clients.ts';
import { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import { createAccessCheck, type AccessCheck } from '../consent/access-check.ts';
import { registerIdentityHandlers } from './identity-handlers.ts';
import { IdentityIndex } from './identity-index.ts';
import type { IdentityLookup } from './identity-lookup.ts';

export interface IdentityMirrorOptions {
  store: Store;
  publicClient: ChainPublicClient;
  contracts: Record<string, Address>;
  abis: Record<string, Abi>;
  deploymentBlock: bigint;
  confirmations: number;
  logger: Logger;
  clock: Clock;
  metrics?: Metrics;
  pollIntervalMs?: number;
  /** Cursor name; default `identity`. */
  name?: string;
}

/** Bump when the identity handlers change what they write: the mirror is then rebuilt from the chain. */
export const IDENTITY_MIRROR_VERSION = '1';

export class IdentityMirror {
  readonly index: IdentityIndex;
  readonly indexer: ChainIndexer;
  readonly access: AccessCheck;
  readonly lookup: IdentityLookup;
  readonly #store: Store;

  private constructor(opts: IdentityMirrorOptions, vehicleId: Address) {
    this.#store = opts.store;
    this.index = new IdentityIndex(vehicleId);
    this.indexer = new ChainIndexer({
      name: opts.name ?? 'identity',
      store: opts.store,
      publicClient: opts.publicClient,
      contracts: opts.contracts,
      abis: opts.abis,
      deploymentBlock: opts.deploymentBlock,
      confirmations: opts.confirmations,
      logger: opts.logger,
      clock: opts.clock,
      version: IDENTITY_MIRROR_VERSION,
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(opts.pollIntervalMs !== undefined ? { pollIntervalMs: opts.pollIntervalMs } : {}),
    });
    registerIdentityHandlers(this.indexer, vehicleId);
    this.indexer.onCommit((changes) => this.index.applyAll(changes));
    this.indexer.onReset(() => this.index.load(this.#store.db));
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

  /** Prepares the cursor and loads the index from the tables; does not follow the chain yet. */
  static async open(opts: IdentityMirrorOptions): Promise<IdentityMirror> {
    const vehicleId = opts.contracts.VehicleId;
    if (!vehicleId) throw new OdmError('ODM_ERR_INDEXER_CONFIG', 'the deployment has no VehicleId contract');
    const mirror = new IdentityMirror(opts, vehicleId);
    await mirror.indexer.open();
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
