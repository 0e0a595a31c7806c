// License API keys and redirect URIs in memory, kept current from the LicenseSigners mirror tables'
// committed row changes (rollbacks included), so developer sign-in answers without RPC or database.
import type { Kysely } from 'kysely';
import type { RowChange } from '../chain/indexer/indexer-types.ts';
import type { Database } from '../store/schema.ts';

export interface SignerGrant {
  licenseId: bigint;
  /** Unix seconds (chain time). */
  expiresAtSec: number;
}

export class LicenseSignerIndex {
  /** Lowercase signer → license id (decimal) → expiry. */
  readonly #bySigner = new Map<string, Map<string, number>>();
  /** License id (decimal) → registered redirect URIs. */
  readonly #uris = new Map<string, Set<string>>();

  /** Every license `signer` is (or was, until its expiry) enabled on. */
  grantsOf(signer: string): SignerGrant[] {
    const m = this.#bySigner.get(signer.toLowerCase());
    return m ? [...m].map(([id, exp]) => ({ licenseId: BigInt(id), expiresAtSec: exp })) : [];
  }

  /** Expiry of `signer` on the license, or undefined when it is not enabled there. */
  expiryOf(licenseId: bigint, signer: string): number | undefined {
    return this.#bySigner.get(signer.toLowerCase())?.get(licenseId.toString());
  }

  hasRedirectUri(licenseId: bigint, uri: string): boolean {
    return this.#uris.get(licenseId.toString())?.has(uri) ?? false;
  }

  redirectUris(licenseId: bigint): string[] {
    return [...(this.#uris.get(licenseId.toString()) ?? [])].sort();
  }

  async load(db: Kysely<Database>): Promise<void> {
    const [signers, uris] = await Promise.all([
      db.selectFrom('license_signers').select(['license_id', 'signer', 'expires_at_sec']).execute(),
      db.selectFrom('license_redirect_uris').select(['license_id', 'uri']).execute(),
    ]);
    this.#bySigner.clear();
    this.#uris.clear();
    for (const r of signers) this.#setSigner(r.license_id, r.signer, Number(r.expires_at_sec));
    for (const r of uris) this.#setUri(r.license_id, r.uri, true);
  }

  applyAll(changes: readonly RowChange[]): void {
    for (const c of changes) {
      if (c.table === 'license_signers') {
        const row = c.after ?? c.before;
        if (!row) continue;
        if (c.after) this.#setSigner(String(row.license_id), String(row.signer), Number(c.after.expires_at_sec));
        else this.#dropSigner(String(row.license_id), String(row.signer));
      } else if (c.table === 'license_redirect_uris') {
        const row = c.after ?? c.before;
        if (row) this.#setUri(String(row.license_id), String(row.uri), c.after !== undefined);
      }
    }
  }

  #setSigner(licenseId: string, signer: string, expiresAtSec: number): void {
    let m = this.#bySigner.get(signer);
    if (!m) this.#bySigner.set(signer, (m = new Map()));
    m.set(licenseId, expiresAtSec);
  }

  #dropSigner(licenseId: string, signer: string): void {
    const m = this.#bySigner.get(signer);
    m?.delete(licenseId);
    if (m && m.size === 0) this.#bySigner.delete(signer);
  }

  #setUri(licenseId: string, uri: string, on: boolean): void {
    let s = this.#uris.get(licenseId);
    if (on) {
      if (!s) this.#uris.set(licenseId, (s = new Set()));
      s.add(uri);
    } else {
      s?.delete(uri);
      if (s && s.size === 0) this.#uris.delete(licenseId);
    }
  }
}
