// How LicenseSigners events change the licensing mirror: signer expiries and redirect URIs per license.
// Registered on the licensing indexer (one cursor for all licensing state) only when the deployment has
// the contract, so a chain deployed before it still mirrors everything else.
import type { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import type { MirrorTable } from '../chain/indexer/indexer-types.ts';
import type { Store } from '../store/store.ts';
import type { LicenseSignerIndex } from './signer-index.ts';

export const SIGNER_TABLES = [
  { name: 'license_signers', key: ['license_id', 'signer'] },
  { name: 'license_redirect_uris', key: ['license_id', 'uri'] },
] as const satisfies readonly MirrorTable[];

export const LICENSE_SIGNERS_CONTRACT = 'LicenseSigners';

const addr = (v: unknown): string => String(v).toLowerCase();
const dec = (v: unknown): string => (v as bigint).toString();

export function registerSignerHandlers(indexer: ChainIndexer, index: LicenseSignerIndex, store: Store): void {
  indexer.registerTables(SIGNER_TABLES);
  indexer.registerHandlers(LICENSE_SIGNERS_CONTRACT, {
    SignerEnabled: async (e, w) => {
      const a = e.args;
      await w.put('license_signers', {
        license_id: dec(a.licenseId), signer: addr(a.signer), expires_at_sec: Number(a.expiresAt), enabled_by: addr(a.by), enabled_at: Number(e.block.timestamp) * 1000,
      });
    },
    SignerDisabled: async (e, w) => void (await w.remove('license_signers', { license_id: dec(e.args.licenseId), signer: addr(e.args.signer) })),
    RedirectUriSet: async (e, w) => {
      const a = e.args;
      const key = { license_id: dec(a.licenseId), uri: String(a.uri) };
      if (a.enabled) await w.put('license_redirect_uris', { ...key, set_by: addr(a.by), set_at: Number(e.block.timestamp) * 1000 });
      else await w.remove('license_redirect_uris', key);
    },
  });
  indexer.onCommit((changes) => index.applyAll(changes));
  indexer.onReset((db) => index.load(db ?? store.db));
}
