// Reads the vault back: latest values, samples and rollups by time, the event archive and the location
// stream of a vehicle in one owner epoch. What the telemetry API and the owner's export build on.
import type { KeyObject } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { open } from './aead.ts';
import { locationKeyRef, vehicleKeyRef, type DataKeys } from './data-keys.ts';
import { CHUNK_MS, chunkStartOf, type Pseudonyms } from './pseudonyms.ts';
import type {
  ArchivedEvent, LatestRecord, LocationChunkRecord, LocationLatestRecord, RollupsRecord, SamplesRecord,
} from './records.ts';
import { aad } from './records.ts';
import type { Series } from './rollups.ts';
import { kyselySql } from './vault-sql.ts';

export interface ChunkSegment {
  chunkStart: number;
  samples: SamplesRecord;
  rollups: RollupsRecord;
  events: ArchivedEvent[];
}

export interface LocationPointRecord {
  ts: number;
  lat: number;
  lng: number;
  redacted: boolean;
}

export class VaultReader {
  readonly #store: Store;
  readonly #keys: DataKeys;
  readonly #pseudonyms: Pseudonyms;

  constructor(store: Store, keys: DataKeys, pseudonyms: Pseudonyms) {
    this.#store = store;
    this.#keys = keys;
    this.#pseudonyms = pseudonyms;
  }

  async #vehicleKey(vehicleId: string, version: number): Promise<KeyObject | undefined> {
    const ref = vehicleKeyRef(vehicleId, version);
    return (await this.#keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'vehicle' }], false)).get(ref);
  }

  async #locationKey(streamId: string): Promise<KeyObject | undefined> {
    const ref = locationKeyRef(streamId);
    return (await this.#keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'location' }], false)).get(ref);
  }

  async latest(vehicleId: string, version: number): Promise<LatestRecord | undefined> {
    const row = await this.#store.db.selectFrom('vault_latest').select('ct').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    const key = row && (await this.#vehicleKey(vehicleId, version));
    if (!row || !key) return undefined;
    return JSON.parse(open(key, row.ct, aad.latest(vehicleId, version)).toString('utf8')) as LatestRecord;
  }

  /** Chunk segments overlapping [from, to] (epoch ms; whole history when omitted), oldest first. */
  async chunks(vehicleId: string, version: number, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<ChunkSegment[]> {
    const key = await this.#vehicleKey(vehicleId, version);
    if (!key) return [];
    const rows = await this.#store.db
      .selectFrom('vault_chunks')
      .select(['seg_id', 'chunk_start', 'samples', 'rollups', 'events'])
      .where('vehicle_id', '=', vehicleId)
      .where('owner_version', '=', version)
      .where('chunk_start', '>=', chunkStartOf(from))
      .where('chunk_start', '<=', to)
      .orderBy('chunk_start')
      .execute();
    return rows.map((r) => ({
      chunkStart: r.chunk_start,
      samples: JSON.parse(open(key, r.samples, aad.chunk(r.seg_id, vehicleId, version, r.chunk_start, 'samples')).toString('utf8')) as SamplesRecord,
      rollups: JSON.parse(open(key, r.rollups, aad.chunk(r.seg_id, vehicleId, version, r.chunk_start, 'rollups')).toString('utf8')) as RollupsRecord,
      events: JSON.parse(open(key, r.events, aad.chunk(r.seg_id, vehicleId, version, r.chunk_start, 'events')).toString('utf8')) as ArchivedEvent[],
    }));
  }

  /** One signal's samples in [from, to], sorted by time. */
  async series(vehicleId: string, version: number, signal: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<Series> {
    const pairs: Array<[number, number | string]> = [];
    for (const c of await this.chunks(vehicleId, version, from, to)) {
      const s = c.samples[signal];
      if (!s) continue;
      for (let i = 0; i < s.ts.length; i++) if (s.ts[i]! >= from && s.ts[i]! <= to) pairs.push([s.ts[i]!, s.v[i]!]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    return { ts: pairs.map((p) => p[0]), v: pairs.map((p) => p[1]) };
  }

  /** Every archived event (the owner's export), by time. */
  async events(vehicleId: string, version: number): Promise<ArchivedEvent[]> {
    return (await this.chunks(vehicleId, version)).flatMap((c) => c.events).sort((a, b) => a.time - b.time);
  }

  async latestLocation(vehicleId: string, version: number): Promise<LocationLatestRecord | undefined> {
    const streamId = this.#pseudonyms.streamId(vehicleId, version);
    const row = await this.#store.db.selectFrom('vault_location_latest').select('ct').where('stream_id', '=', streamId).executeTakeFirst();
    const key = row && (await this.#locationKey(streamId));
    if (!row || !key) return undefined;
    return JSON.parse(open(key, row.ct, aad.locationLatest(streamId)).toString('utf8')) as LocationLatestRecord;
  }

  /** Location points in [from, to]; with no range, the whole stream. */
  async locations(vehicleId: string, version: number, from?: number, to?: number): Promise<{ points: LocationPointRecord[]; samples: SamplesRecord[] }> {
    const streamId = this.#pseudonyms.streamId(vehicleId, version);
    const key = await this.#locationKey(streamId);
    if (!key) return { points: [], samples: [] };
    let q = this.#store.db.selectFrom('vault_location_chunks').select(['seg_id', 'chunk_tag', 'ct']).where('stream_id', '=', streamId);
    if (from !== undefined && to !== undefined) {
      // Chunk tags are keyed hashes of the hour: compute the ones the range covers.
      const tags: string[] = [];
      for (let h = chunkStartOf(from); h <= to && tags.length < 24 * 366; h += CHUNK_MS) tags.push(this.#pseudonyms.chunkTag(streamId, h));
      q = q.where('chunk_tag', 'in', tags);
    }
    const rows = await q.execute();
    const points: LocationPointRecord[] = [];
    const samples: SamplesRecord[] = [];
    for (const r of rows) {
      const rec = JSON.parse(open(key, r.ct, aad.locationChunk(r.seg_id, streamId, r.chunk_tag)).toString('utf8')) as LocationChunkRecord;
      for (let i = 0; i < rec.points.length; i += 4) {
        const ts = rec.points[i]!;
        if ((from === undefined || ts >= from) && (to === undefined || ts <= to)) {
          points.push({ ts, lat: rec.points[i + 1]!, lng: rec.points[i + 2]!, redacted: rec.points[i + 3] === 1 });
        }
      }
      samples.push(rec.samples);
    }
    points.sort((a, b) => a.ts - b.ts);
    return { points, samples };
  }
}
