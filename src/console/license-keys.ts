// A license's API keys (signer addresses with expiry) and redirect URIs, for its holder's console: read
// from the licensing mirror's LicenseSigners tables (the same rows developer sign-in checks). Answers
// `deployed: false` where the chain has no LicenseSigners contract.
import type { NodeServices } from '../node/start-node.ts';

export interface LicenseKeys {
  deployed: boolean;
  signers: Array<{ address: string; expiresAt: number; active: boolean }>;
  redirectUris: string[];
}

export async function licenseKeys(services: NodeServices, licenseId: bigint): Promise<LicenseKeys> {
  if (!services.chain.contracts.LicenseSigners) return { deployed: false, signers: [], redirectUris: [] };
  const db = services.store.db;
  const id = licenseId.toString();
  const [signers, uris] = await Promise.all([
    db.selectFrom('license_signers').select(['signer', 'expires_at_sec']).where('license_id', '=', id).orderBy('signer').execute(),
    db.selectFrom('license_redirect_uris').select('uri').where('license_id', '=', id).orderBy('uri').execute(),
  ]);
  const nowSec = Math.floor(services.clock.now() / 1000);
  return {
    deployed: true,
    signers: signers.map((s) => ({ address: s.signer, expiresAt: Number(s.expires_at_sec) * 1000, active: Number(s.expires_at_sec) > nowSec })),
    redirectUris: uris.map((u) => u.uri),
  };
}
