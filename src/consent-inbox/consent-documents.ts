// Keeps the consent documents owners sign at opt-in, by hash: keccak256 of the canonical document is the
// `source` of the grant on chain, so whoever sees the grant can fetch what was agreed and check that the
// grantor signed it. Only a valid document, signed by its grantor, for a vehicle the grantor owns is kept.
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { parseAssetDid } from '../consent/asset-did.ts';
import { sacdHash, verifySacdDocument, type SacdDocument } from '../consent/sacd-document.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';

export const documentBody = z.strictObject({ document: z.record(z.string(), z.unknown()) });

export class ConsentDocuments {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Verifies and keeps; `owns(tokenId)` says whether the signed-in owner holds the asset. */
  async keep(owner: string, doc: unknown, owns: (contract: string, tokenId: bigint) => boolean): Promise<{ hash: string }> {
    const { grantor } = await verifySacdDocument(doc); // throws ODM_ERR_SACD_INVALID / ODM_ERR_SIGNATURE_INVALID
    const d = doc as SacdDocument;
    if (grantor.toLowerCase() !== owner.toLowerCase()) throw new OdmError('ODM_ERR_NOT_OWNER', 'the document must be signed by the signed-in owner');
    const asset = parseAssetDid(d.data.asset);
    if (!owns(asset.contract, asset.tokenId)) throw new OdmError('ODM_ERR_NOT_OWNER', `vehicle ${asset.tokenId} is not yours`);
    const hash = sacdHash(d);
    await this.#store.db.insertInto('consent_documents').values({
      hash, grantor: grantor.toLowerCase(), grantee: d.data.grantee.toLowerCase(), asset: d.data.asset, document: JSON.stringify(d), created_at: this.#clock.now(),
    }).onConflict((oc) => oc.column('hash').doNothing()).execute();
    return { hash };
  }

  async get(hash: string): Promise<SacdDocument | undefined> {
    const row = await this.#store.db.selectFrom('consent_documents').select('document').where('hash', '=', hash.toLowerCase()).executeTakeFirst();
    return row ? (JSON.parse(row.document) as SacdDocument) : undefined;
  }

  async byHashes(hashes: string[]): Promise<Map<string, SacdDocument>> {
    if (hashes.length === 0) return new Map();
    const rows = await this.#store.db.selectFrom('consent_documents').select(['hash', 'document']).where('hash', 'in', hashes.map((h) => h.toLowerCase())).execute();
    return new Map(rows.map((r) => [r.hash, JSON.parse(r.document) as SacdDocument]));
  }

  async removeGrantor(owner: string): Promise<number> {
    return Number((await this.#store.db.deleteFrom('consent_documents').where('grantor', '=', owner.toLowerCase()).executeTakeFirst()).numDeletedRows);
  }

  async removeAsset(asset: string): Promise<number> {
    return Number((await this.#store.db.deleteFrom('consent_documents').where('asset', '=', asset).executeTakeFirst()).numDeletedRows);
  }
}
