// The glovebox: an owner's documents about a vehicle (insurance, registration…), encrypted like all
// vehicle data: AES-256-GCM under the vehicle's vault data key for the current owner epoch, with the
// document's identity as associated data. Deleting the vehicle's data (crypto-shredding) destroys that
// key, so a copy of a document row cannot be opened afterwards either; the rows are deleted as well.
// Apps read documents only through a grant of privilege 5 (VIN_CREDENTIAL: the vehicle's papers go with
// its VIN credential), checked by the license gate like every data read (glovebox-routes.ts).
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { open, seal } from '../vault/aead.ts';
import { vehicleKeyRef, type DataKeys } from '../vault/data-keys.ts';
import { kyselySql } from '../vault/vault-sql.ts';

export const DOCUMENT_KINDS = ['insurance', 'registration', 'inspection', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
export const MAX_DOCUMENTS_PER_VEHICLE = 50;

export interface DocumentInfo {
  id: string;
  vehicleId: string;
  kind: DocumentKind;
  name: string;
  mediaType: string;
  size: number;
  createdAt: number;
}

const aad = (docId: string, vehicleId: string, version: number, part: 'meta' | 'content') => `glovebox_documents/${docId}/${vehicleId}/${version}/${part}`;

export class Glovebox {
  readonly #store: Store;
  readonly #keys: DataKeys;
  readonly #clock: Clock;

  constructor(store: Store, keys: DataKeys, clock: Clock) {
    this.#store = store;
    this.#keys = keys;
    this.#clock = clock;
  }

  async #key(vehicleId: string, version: number, owner: string | undefined): Promise<KeyObject | undefined> {
    const ref = vehicleKeyRef(vehicleId, version);
    const spec = owner ? { ref, kind: 'vehicle' as const, vehicleId, version, owner: owner.toLowerCase() } : { ref, kind: 'vehicle' as const };
    return (await this.#keys.getMany(kyselySql(this.#store.db), [spec], owner !== undefined)).get(ref);
  }

  async add(owner: string, vehicleId: string, version: number, doc: { kind: DocumentKind; name: string; mediaType: string; content: Buffer }): Promise<DocumentInfo> {
    if (doc.content.length === 0) throw new OdmError('ODM_ERR_VALIDATION', 'the document is empty');
    if (doc.content.length > MAX_DOCUMENT_BYTES) throw new OdmError('ODM_ERR_DOCUMENT_TOO_LARGE', `documents are limited to ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
    const count = await this.#store.db.selectFrom('glovebox_documents').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    if (Number(count?.n ?? 0) >= MAX_DOCUMENTS_PER_VEHICLE) throw new OdmError('ODM_ERR_VALIDATION', `at most ${MAX_DOCUMENTS_PER_VEHICLE} documents per vehicle`);
    const key = (await this.#key(vehicleId, version, owner))!;
    const id = randomUUID();
    const now = this.#clock.now();
    const meta = Buffer.from(JSON.stringify({ name: doc.name, mediaType: doc.mediaType }));
    await this.#store.db.insertInto('glovebox_documents').values({
      doc_id: id, vehicle_id: vehicleId, owner_version: version, owner: owner.toLowerCase(), kind: doc.kind, size: doc.content.length,
      meta_ct: seal(key, meta, aad(id, vehicleId, version, 'meta')), content_ct: seal(key, doc.content, aad(id, vehicleId, version, 'content')), created_at: now,
    }).execute();
    return { id, vehicleId, kind: doc.kind, name: doc.name, mediaType: doc.mediaType, size: doc.content.length, createdAt: now };
  }

  async list(vehicleId: string, version: number): Promise<DocumentInfo[]> {
    const rows = await this.#store.db.selectFrom('glovebox_documents').select(['doc_id', 'kind', 'size', 'meta_ct', 'created_at'])
      .where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).orderBy('created_at').execute();
    if (rows.length === 0) return [];
    const key = await this.#key(vehicleId, version, undefined);
    if (!key) return [];
    return rows.map((r) => {
      const meta = JSON.parse(open(key, r.meta_ct, aad(r.doc_id, vehicleId, version, 'meta')).toString('utf8')) as { name: string; mediaType: string };
      return { id: r.doc_id, vehicleId, kind: r.kind as DocumentKind, name: meta.name, mediaType: meta.mediaType, size: Number(r.size), createdAt: Number(r.created_at) };
    });
  }

  async read(vehicleId: string, version: number, docId: string): Promise<{ info: DocumentInfo; content: Buffer }> {
    const row = await this.#store.db.selectFrom('glovebox_documents').selectAll()
      .where('doc_id', '=', docId).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    const key = row && (await this.#key(vehicleId, version, undefined));
    if (!row || !key) throw new OdmError('ODM_ERR_DOCUMENT_NOT_FOUND', 'no such document for this vehicle');
    const meta = JSON.parse(open(key, row.meta_ct, aad(docId, vehicleId, version, 'meta')).toString('utf8')) as { name: string; mediaType: string };
    return {
      info: { id: docId, vehicleId, kind: row.kind as DocumentKind, name: meta.name, mediaType: meta.mediaType, size: Number(row.size), createdAt: Number(row.created_at) },
      content: open(key, row.content_ct, aad(docId, vehicleId, version, 'content')),
    };
  }

  async remove(vehicleId: string, version: number, docId: string): Promise<boolean> {
    const r = await this.#store.db.deleteFrom('glovebox_documents').where('doc_id', '=', docId).where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Deletes every document of the vehicle (all owner epochs, or only `versions`); the count. */
  async removeVehicle(vehicleId: string, versions?: number[]): Promise<number> {
    let q = this.#store.db.deleteFrom('glovebox_documents').where('vehicle_id', '=', vehicleId);
    if (versions) q = q.where('owner_version', 'in', versions.length ? versions : [-1]);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async removeOwner(owner: string): Promise<number> {
    return Number((await this.#store.db.deleteFrom('glovebox_documents').where('owner', '=', owner.toLowerCase()).executeTakeFirst()).numDeletedRows);
  }

  async count(filter: { vehicleId?: string; owner?: string }): Promise<number> {
    let q = this.#store.db.selectFrom('glovebox_documents').select((eb) => eb.fn.countAll<number>().as('n'));
    if (filter.vehicleId) q = q.where('vehicle_id', '=', filter.vehicleId);
    if (filter.owner) q = q.where('owner', '=', filter.owner.toLowerCase());
    return Number((await q.executeTakeFirst())?.n ?? 0);
  }
}
