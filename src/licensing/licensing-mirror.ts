// The licensing mirror as one unit: its own chain indexer (cursor `licensing`) with the licensing
// handlers, the in-memory index the indexer keeps current, and the license gate read from that index.
import { OdmError } from '../core/errors.ts';
import type { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import { createMirrorIndexer, type MirrorIndexerOptions } from '../chain/indexer/mirror-indexer.ts';
import { createLicenseGate, type LicenseGate } from './license-gate.ts';
import { registerLicensingHandlers } from './licensing-handlers.ts';
import { LicensingIndex } from './licensing-index.ts';
import { LICENSING_CONTRACTS } from './licensing-tables.ts';
import { LICENSE_SIGNERS_CONTRACT, registerSignerHandlers } from './signer-handlers.ts';
import { LicenseSignerIndex } from './signer-index.ts';

export type LicensingMirrorOptions = MirrorIndexerOptions;

/** Bump when the licensing handlers change what they write: the mirror is then rebuilt from the chain. */
export const LICENSING_MIRROR_VERSION = '1';

export class LicensingMirror {
  readonly index = new LicensingIndex();
  /** License API keys and redirect URIs (empty when the deployment has no LicenseSigners contract). */
  readonly signers = new LicenseSignerIndex();
  readonly indexer: ChainIndexer;
  readonly gate: LicenseGate;

  private constructor(opts: LicensingMirrorOptions) {
    this.indexer = createMirrorIndexer(opts, { name: 'licensing', version: LICENSING_MIRROR_VERSION, index: this.index });
    registerLicensingHandlers(this.indexer);
    if (opts.contracts[LICENSE_SIGNERS_CONTRACT]) registerSignerHandlers(this.indexer, this.signers, opts.store);
    this.gate = createLicenseGate(this.index);
  }

  /**
   * Prepares the cursor and loads the index from the tables; does not follow the chain yet. `follow`:
   * another process leads (see ChainIndexer.open).
   */
  static async open(opts: LicensingMirrorOptions, mode: { follow?: boolean } = {}): Promise<LicensingMirror> {
    const missing = LICENSING_CONTRACTS.filter((name) => !opts.contracts[name]);
    if (missing.length > 0) {
      throw new OdmError('ODM_ERR_INDEXER_CONFIG', `the deployment has no ${missing.join(', ')} contract; deploy the Protocol II contracts (opendimo chain deploy)`, { details: { missing } });
    }
    const mirror = new LicensingMirror(opts);
    await mirror.indexer.open(mode);
    await mirror.index.load(opts.store.db);
    await mirror.signers.load(opts.store.db);
    return mirror;
  }

  start(): Promise<void> {
    return this.indexer.start();
  }

  stop(): Promise<void> {
    return this.indexer.stop();
  }
}
