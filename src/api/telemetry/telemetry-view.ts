// The vault as the telemetry API reads it: lists a vehicle's chunk segments without their payloads,
// then decrypts only the part a query needs (rollups for most aggregations, one signal's samples for
// MED, RAND and filters, the event archive for events), once: decrypted parts stay in a byte-bounded
// in-memory cache, one entry per segment (segments are immutable; compaction only adds new ones), so a
// query over a month costs one lookup per hour. A vehicle's deletion drops its entries. Uses the
// vault's own keys, AAD and pseudonyms (src/vault).
import type { KeyObject } from 'node:crypto';
import type { Store } from '../../store/store.ts';
import { open } from '../../vault/aead.ts';
import { locationKeyRef, vehicleKeyRef } from '../../vault/data-keys.ts';
import { CHUNK_MS, chunkStartOf } from '../../vault/pseudonyms.ts';
import { aad, type ArchivedEvent, type LatestRecord, type LocationChunkRecord, type LocationLatestRecord, type RollupsRecord, type SamplesRecord } from '../../vault/records.ts';
import type { Vault } from '../../vault/vault.ts';
import { kyselySql } from '../../vault/vault-sql.ts';
import { ByteLru } from './byte-lru.ts';
import { columnBytes, EMPTY_POINTS, mergeColumns, mergePoints, toColumn, type Column, type PointColumns } from './columns.ts';

export interface SegmentRef {
  segId: string;
  /** Hour the segment's samples fall in (epoch ms). */
  chunkStart: number;
  /** Cache key: vehicle, epoch and segment. */
  key: string;
}

/** What has been decrypted of one segment. */
interface SegEntry {
  rollups?: RollupsRecord;
  /** Every signal's samples (absent signals are not in the map). */
  samples?: Map<string, Column>;
  /** Timestamps of every sample, sorted. */
  times?: Float64Array;
  events?: ArchivedEvent[];
  bytes: number;
}

interface LocationSegment {
  points: PointColumns;
  samples: Record<string, Column>;
}

const PAGE = 500;
/** How long a decrypted latest record is reused. Values stored by this process since reach readers at
 * once through the recent-values overlay; other processes' writes show within this (plus compaction). */
export const LATEST_TTL_MS = 1000;

export class TelemetryView {
  readonly #store: Store;
  readonly #vault: Vault;
  readonly #cache: ByteLru<SegEntry | LocationSegment>;
  readonly #decoding = new Map<string, Promise<Map<string, Column> | undefined>>();

  constructor(o: { store: Store; vault: Vault; cacheBytes: number }) {
    this.#store = o.store;
    this.#vault = o.vault;
    this.#cache = new ByteLru(o.cacheBytes);
  }

  get cachedBytes(): number {
    return this.#cache.bytes;
  }

  /** Forgets everything decrypted for a vehicle (its data was deleted). */
  forget(vehicleId: string): void {
    this.#cache.dropPrefix(`${vehicleId}/`);
    for (const key of [...this.#latest.keys()]) if (key.startsWith(`${vehicleId}/`)) this.#latest.delete(key);
  }

  async #vehicleKey(vehicleId: string, version: number): Promise<KeyObject | undefined> {
    const ref = vehicleKeyRef(vehicleId, version);
    return (await this.#vault.keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'vehicle' }], false)).get(ref);
  }

  /** Segments whose hour overlaps [from, to), oldest first. */
  async segments(vehicleId: string, version: number, from: number, to: number): Promise<SegmentRef[]> {
    const rows = await this.#store.db
      .selectFrom('vault_chunks')
      .select(['seg_id', 'chunk_start'])
      .where('vehicle_id', '=', vehicleId)
      .where('owner_version', '=', version)
      .where('chunk_start', '>=', chunkStartOf(from))
      .where('chunk_start', '<', to)
      .orderBy('chunk_start')
      .execute();
    const prefix = `${vehicleId}/${version}/`;
    return rows.map((r) => ({ segId: r.seg_id, chunkStart: Number(r.chunk_start), key: prefix + r.seg_id }));
  }

  async #blobs(column: 'rollups' | 'samples' | 'events', segIds: string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    for (let i = 0; i < segIds.length; i += PAGE) {
      const rows = (await this.#store.db
        .selectFrom('vault_chunks')
        .select(['seg_id', column] as never)
        .where('seg_id', 'in', segIds.slice(i, i + PAGE))
        .execute()) as unknown as Array<Record<string, unknown>>;
      for (const r of rows) out.set(r.seg_id as string, r[column] as Buffer);
    }
    return out;
  }

  #entry(ref: SegmentRef): SegEntry | undefined {
    return this.#cache.get(ref.key) as SegEntry | undefined;
  }

  /** Stores a decrypted part in the segment's entry and re-weighs it. */
  #keep(ref: SegmentRef, fill: (e: SegEntry) => number): void {
    let e = this.#entry(ref);
    if (!e) {
      e = { bytes: 64 };
      this.#cache.set(ref.key, e, e.bytes);
    }
    e.bytes += fill(e);
    this.#cache.resize(ref.key, e.bytes);
  }

  /** Decrypts one part of the given segments. */
  async #decrypt(vehicleId: string, version: number, refs: readonly SegmentRef[], part: 'rollups' | 'samples' | 'events'): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (refs.length === 0) return out;
    const key = await this.#vehicleKey(vehicleId, version);
    if (!key) return out;
    const blobs = await this.#blobs(part, refs.map((r) => r.segId));
    for (const ref of refs) {
      const ct = blobs.get(ref.segId);
      if (ct) out.set(ref.segId, open(key, ct, aad.chunk(ref.segId, vehicleId, version, ref.chunkStart, part)));
    }
    return out;
  }

  async rollups(vehicleId: string, version: number, refs: readonly SegmentRef[]): Promise<Array<RollupsRecord | undefined>> {
    const out = refs.map((r) => this.#entry(r)?.rollups);
    const missing = refs.filter((_, i) => out[i] === undefined);
    if (missing.length === 0) return out;
    const plain = await this.#decrypt(vehicleId, version, missing, 'rollups');
    for (let i = 0; i < refs.length; i++) {
      if (out[i] !== undefined) continue;
      const pt = plain.get(refs[i]!.segId);
      if (!pt) continue; // shredded meanwhile
      const value = JSON.parse(pt.toString('utf8')) as RollupsRecord;
      this.#keep(refs[i]!, (e) => {
        e.rollups = value;
        return 256 + pt.length;
      });
      out[i] = value;
    }
    return out;
  }

  /** One signal's samples in each segment (undefined where the segment has none). */
  async columns(vehicleId: string, version: number, refs: readonly SegmentRef[], signal: string): Promise<Array<Column | undefined>> {
    const out = new Array<Column | undefined>(refs.length);
    const need: number[] = [];
    for (let i = 0; i < refs.length; i++) {
      const samples = this.#entry(refs[i]!)?.samples;
      if (samples) out[i] = samples.get(signal);
      else need.push(i);
    }
    if (need.length === 0) return out;
    const decoded = await this.#allSamples(vehicleId, version, need.map((i) => refs[i]!));
    for (let j = 0; j < need.length; j++) out[need[j]!] = decoded[j]?.get(signal);
    return out;
  }

  /** Every signal's samples of each segment, decrypting each segment once even under concurrent asks. */
  async #allSamples(vehicleId: string, version: number, refs: readonly SegmentRef[]): Promise<Array<Map<string, Column> | undefined>> {
    const start = refs.filter((ref) => !this.#decoding.has(ref.key));
    if (start.length > 0) {
      const batch = this.#decodeSamples(vehicleId, version, start);
      for (const ref of start) this.#decoding.set(ref.key, batch.then((m) => m.get(ref.segId)));
      const done = () => {
        for (const ref of start) this.#decoding.delete(ref.key);
      };
      batch.then(done, done);
    }
    return Promise.all(refs.map((ref) => this.#decoding.get(ref.key)!));
  }

  async #decodeSamples(vehicleId: string, version: number, refs: readonly SegmentRef[]): Promise<Map<string, Map<string, Column>>> {
    const out = new Map<string, Map<string, Column>>();
    const plain = await this.#decrypt(vehicleId, version, refs, 'samples');
    for (const ref of refs) {
      const pt = plain.get(ref.segId);
      if (!pt) continue;
      const record = JSON.parse(pt.toString('utf8')) as SamplesRecord;
      const cols = new Map<string, Column>();
      const pool: Float64Array[] = [];
      const counted = new Set<Float64Array>();
      let bytes = 0;
      const grow = (extra: number) => {
        const e = this.#entry(ref);
        if (!e) return; // evicted meanwhile: the copy dies with the caller's reference
        e.bytes += extra;
        this.#cache.resize(ref.key, e.bytes);
      };
      for (const [name, series] of Object.entries(record)) {
        const col = toColumn(series, pool);
        col.grow = grow;
        cols.set(name, col);
        bytes += columnBytes(col, counted);
      }
      this.#keep(ref, (e) => {
        e.samples = cols;
        return bytes;
      });
      out.set(ref.segId, cols);
    }
    return out;
  }

  /** Timestamps of every sample of every signal in each segment, sorted (activity detection). */
  async sampleTimes(vehicleId: string, version: number, refs: readonly SegmentRef[]): Promise<Float64Array[]> {
    const out = refs.map((r) => this.#entry(r)?.times);
    const need = refs.filter((_, i) => out[i] === undefined);
    const decoded = need.length > 0 ? await this.#allSamples(vehicleId, version, need) : [];
    let j = 0;
    for (let i = 0; i < refs.length; i++) {
      if (out[i] !== undefined) continue;
      const cols = decoded[j++];
      let n = 0;
      for (const c of cols?.values() ?? []) n += c.ts.length;
      const all = new Float64Array(n);
      let k = 0;
      for (const c of cols?.values() ?? []) {
        all.set(c.ts, k);
        k += c.ts.length;
      }
      all.sort();
      if (cols) this.#keep(refs[i]!, (e) => {
        e.times = all;
        return all.byteLength;
      });
      out[i] = all;
    }
    return out as Float64Array[];
  }

  async events(vehicleId: string, version: number, refs: readonly SegmentRef[]): Promise<ArchivedEvent[][]> {
    const out = refs.map((r) => this.#entry(r)?.events);
    const missing = refs.filter((_, i) => out[i] === undefined);
    const plain = await this.#decrypt(vehicleId, version, missing, 'events');
    for (let i = 0; i < refs.length; i++) {
      if (out[i] !== undefined) continue;
      const pt = plain.get(refs[i]!.segId);
      if (!pt) continue;
      const value = JSON.parse(pt.toString('utf8')) as ArchivedEvent[];
      this.#keep(refs[i]!, (e) => {
        e.events = value;
        return 256 + 2 * pt.length;
      });
      out[i] = value;
    }
    return out.map((x) => x ?? []);
  }

  /** Latest records read within LATEST_TTL_MS, reused: a hot dashboard costs no database read per poll. */
  readonly #latest = new Map<string, { at: number; value: LatestRecord | LocationLatestRecord | undefined }>();

  async #fresh<T extends LatestRecord | LocationLatestRecord>(key: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
    const now = performance.now();
    const hit = this.#latest.get(key);
    if (hit && now - hit.at < LATEST_TTL_MS) return hit.value as T | undefined;
    const value = await read();
    this.#latest.delete(key);
    if (this.#latest.size >= 10_000) this.#latest.delete(this.#latest.keys().next().value as string);
    this.#latest.set(key, { at: now, value });
    return value;
  }

  latest(vehicleId: string, version: number): Promise<LatestRecord | undefined> {
    return this.#fresh(`${vehicleId}/${version}/latest`, () => this.#readLatest(vehicleId, version));
  }

  latestLocation(vehicleId: string, version: number): Promise<LocationLatestRecord | undefined> {
    return this.#fresh(`${vehicleId}/${version}/location`, () => this.#readLatestLocation(vehicleId, version));
  }

  async #readLatest(vehicleId: string, version: number): Promise<LatestRecord | undefined> {
    const row = await this.#store.db.selectFrom('vault_latest').select('ct').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    if (!row) return undefined;
    const key = await this.#vehicleKey(vehicleId, version);
    if (!key) return undefined;
    return JSON.parse(open(key, row.ct, aad.latest(vehicleId, version)).toString('utf8')) as LatestRecord;
  }

  async #readLatestLocation(vehicleId: string, version: number): Promise<LocationLatestRecord | undefined> {
    const streamId = this.#vault.pseudonyms.streamId(vehicleId, version);
    const row = await this.#store.db.selectFrom('vault_location_latest').select('ct').where('stream_id', '=', streamId).executeTakeFirst();
    if (!row) return undefined;
    const ref = locationKeyRef(streamId);
    const key = (await this.#vault.keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'location' }], false)).get(ref);
    if (!key) return undefined;
    return JSON.parse(open(key, row.ct, aad.locationLatest(streamId)).toString('utf8')) as LocationLatestRecord;
  }

  /** The location stream's segments whose hour overlaps [from, to), decrypted through the cache. */
  async #locationSegments(vehicleId: string, version: number, from: number, to: number): Promise<LocationSegment[]> {
    const streamId = this.#vault.pseudonyms.streamId(vehicleId, version);
    const hourOf = new Map<string, number>();
    for (let h = chunkStartOf(from); h < to && hourOf.size < 24 * 400; h += CHUNK_MS) hourOf.set(this.#vault.pseudonyms.chunkTag(streamId, h), h);
    if (hourOf.size === 0) return [];
    const tags = [...hourOf.keys()];
    const heads: Array<{ seg_id: string; chunk_tag: string }> = [];
    for (let i = 0; i < tags.length; i += PAGE) {
      heads.push(...(await this.#store.db.selectFrom('vault_location_chunks').select(['seg_id', 'chunk_tag']).where('stream_id', '=', streamId).where('chunk_tag', 'in', tags.slice(i, i + PAGE)).execute()));
    }
    heads.sort((a, b) => hourOf.get(a.chunk_tag)! - hourOf.get(b.chunk_tag)! || (a.seg_id < b.seg_id ? -1 : 1));
    const prefix = `${vehicleId}/${version}/L/`;
    const out: LocationSegment[] = [];
    const missing: Array<{ at: number; segId: string; tag: string }> = [];
    for (const h of heads) {
      const hit = this.#cache.get(prefix + h.seg_id) as LocationSegment | undefined;
      if (hit) out.push(hit);
      else {
        missing.push({ at: out.length, segId: h.seg_id, tag: h.chunk_tag });
        out.push(undefined as unknown as LocationSegment);
      }
    }
    if (missing.length > 0) {
      const ref = locationKeyRef(streamId);
      const key = (await this.#vault.keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'location' }], false)).get(ref);
      const cts = new Map<string, Buffer>();
      for (let i = 0; key && i < missing.length; i += PAGE) {
        const rows = await this.#store.db.selectFrom('vault_location_chunks').select(['seg_id', 'ct']).where('seg_id', 'in', missing.slice(i, i + PAGE).map((m) => m.segId)).execute();
        for (const r of rows) cts.set(r.seg_id, r.ct);
      }
      for (const m of missing) {
        const ct = cts.get(m.segId);
        if (!key || !ct) {
          out[m.at] = { points: EMPTY_POINTS, samples: {} };
          continue;
        }
        const record = JSON.parse(open(key, ct, aad.locationChunk(m.segId, streamId, m.tag)).toString('utf8')) as LocationChunkRecord;
        const n = record.points.length / 4;
        const points: PointColumns = { ts: new Float64Array(n), lat: new Float64Array(n), lng: new Float64Array(n) };
        for (let i = 0; i < n; i++) {
          points.ts[i] = record.points[4 * i]!;
          points.lat[i] = record.points[4 * i + 1]!;
          points.lng[i] = record.points[4 * i + 2]!;
        }
        const samples: Record<string, Column> = {};
        let bytes = 128 + 24 * n;
        for (const [name, series] of Object.entries(record.samples)) {
          samples[name] = toColumn(series);
          bytes += columnBytes(samples[name]);
        }
        const seg = { points, samples };
        this.#cache.set(prefix + m.segId, seg, bytes);
        out[m.at] = seg;
      }
    }
    return out;
  }

  /** Location points in [from, to), by time. */
  async points(vehicleId: string, version: number, from: number, to: number): Promise<PointColumns> {
    const segs = await this.#locationSegments(vehicleId, version, from, to);
    return mergePoints(segs.map((s) => s.points), from, to);
  }

  /** A location-class scalar (altitude, heading…) in [from, to), by time. */
  async locationColumn(vehicleId: string, version: number, signal: string, from: number, to: number): Promise<Column | undefined> {
    const segs = await this.#locationSegments(vehicleId, version, from, to);
    const parts = segs.map((s) => s.samples[signal]).filter((c): c is Column => c !== undefined);
    return parts.length === 0 ? undefined : mergeColumns(parts, from, to);
  }
}
