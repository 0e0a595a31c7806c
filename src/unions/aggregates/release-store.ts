// The record of every aggregate release: what was asked (dataset, parameters), by which app, under which
// k and noise, what was released, and the suppressed groups — sealed under a key derived from the KEK,
// since a suppressed group can describe fewer than k vehicles.
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { Store } from '../../store/store.ts';
import { open, seal } from '../../vault/aead.ts';
import type { GroupKey, ReleasedGroup, SuppressedGroup } from './anonymize.ts';

export interface ReleaseRecordInput {
  at: number;
  dataset: string;
  params: Record<string, unknown>;
  app: { licenseId: string; address: string };
  k: number;
  epsilon: number | undefined;
  groups: ReleasedGroup[];
  totals: Record<string, number>;
  suppressed: SuppressedGroup[];
  contributors: number;
}

export interface ReleaseRecord {
  releaseId: number;
  at: number;
  dataset: string;
  params: Record<string, unknown>;
  app: { licenseId: string; address: string };
  k: number;
  epsilon: number | null;
  groups: ReleasedGroup[];
  totals: Record<string, number>;
  releasedCount: number;
  suppressedCount: number;
  contributors: number;
}

/** Keys derived from the node's KEK for aggregates: sealing suppressed groups, and the noise PRF. */
export function aggregateSecrets(kek: Buffer): { seal: KeyObject; noise: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), info, 32));
  return { seal: createSecretKey(derive('opendimo/aggregates/suppressed')), noise: derive('opendimo/aggregates/noise') };
}

export class ReleaseStore {
  readonly #store: Store;
  readonly #key: KeyObject;

  constructor(store: Store, sealKey: KeyObject) {
    this.#store = store;
    this.#key = sealKey;
  }

  async record(r: ReleaseRecordInput): Promise<number> {
    // Sealed with an AAD naming the table; the id is not known before the insert.
    const suppressedCt = seal(this.#key, Buffer.from(JSON.stringify(r.suppressed)), 'aggregate_releases/suppressed');
    const row = await this.#store.db.insertInto('aggregate_releases').values({
      at: r.at, dataset: r.dataset, params: JSON.stringify(r.params), app_license_id: r.app.licenseId, app_address: r.app.address,
      k: r.k, epsilon: r.epsilon === undefined ? null : String(r.epsilon), released: JSON.stringify({ groups: r.groups, totals: r.totals }),
      released_count: r.groups.length, suppressed_count: r.suppressed.length, suppressed_ct: suppressedCt, contributors: r.contributors,
    }).returning('release_id').executeTakeFirstOrThrow();
    return Number(row.release_id);
  }

  async get(releaseId: number): Promise<ReleaseRecord | undefined> {
    const r = await this.#store.db.selectFrom('aggregate_releases').selectAll().where('release_id', '=', releaseId).executeTakeFirst();
    if (!r) return undefined;
    const released = JSON.parse(r.released) as { groups: ReleasedGroup[]; totals: Record<string, number> };
    return {
      releaseId: Number(r.release_id), at: Number(r.at), dataset: r.dataset, params: JSON.parse(r.params) as Record<string, unknown>,
      app: { licenseId: r.app_license_id, address: r.app_address }, k: r.k, epsilon: r.epsilon === null ? null : Number(r.epsilon),
      groups: released.groups, totals: released.totals, releasedCount: r.released_count, suppressedCount: r.suppressed_count, contributors: r.contributors,
    };
  }

  /** The suppressed groups of a release (for audits on this node; never served to apps). */
  async suppressed(releaseId: number): Promise<Array<{ key: GroupKey; vehicles: number; owners: number }>> {
    const r = await this.#store.db.selectFrom('aggregate_releases').select('suppressed_ct').where('release_id', '=', releaseId).executeTakeFirst();
    if (!r) return [];
    return JSON.parse(open(this.#key, r.suppressed_ct, 'aggregate_releases/suppressed').toString('utf8')) as SuppressedGroup[];
  }
}
