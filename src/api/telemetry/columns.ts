// Decrypted samples as columns: one signal of one chunk segment, timestamps and values in typed arrays
// (strings in a plain array), sorted by time. What aggregations scan.
import type { Series } from '../../vault/rollups.ts';

export interface Column {
  ts: Float64Array;
  /** Numeric values, or undefined for a string signal. */
  num: Float64Array | undefined;
  /** String values, or undefined for a numeric signal. */
  str: string[] | undefined;
  /** The numeric values sorted, made on first need (medians of whole segments). */
  sorted?: Float64Array;
  /** Told the bytes a lazily made copy adds, so the cache can weigh it. */
  grow?: (bytes: number) => void;
}

/** `shareTs`: timestamps already decoded for another signal of the segment, reused when equal. */
export function toColumn(series: Series, shareTs?: Float64Array[]): Column {
  const n = series.ts.length;
  const ts = shared(series.ts, shareTs) ?? Float64Array.from(series.ts);
  if (shareTs && !shareTs.includes(ts) && shareTs.length < 8) shareTs.push(ts);
  if (n > 0 && typeof series.v[0] === 'string') return { ts, num: undefined, str: series.v.map(String) };
  const num = new Float64Array(n);
  for (let i = 0; i < n; i++) num[i] = Number(series.v[i]);
  return { ts, num, str: undefined };
}

// Signals of one event share their timestamps: one array serves them all (a month of 20-signal events
// then takes about half the memory).
function shared(ts: number[], pool: Float64Array[] | undefined): Float64Array | undefined {
  if (!pool) return undefined;
  outer: for (const candidate of pool) {
    if (candidate.length !== ts.length) continue;
    for (let i = 0; i < ts.length; i++) if (candidate[i] !== ts[i]) continue outer;
    return candidate;
  }
  return undefined;
}

/** Bytes a column holds, not counting timestamps shared with columns already counted. */
export function columnBytes(c: Column, counted?: Set<Float64Array>): number {
  let bytes = 64 + (c.num?.byteLength ?? 0);
  if (!counted?.has(c.ts)) {
    bytes += c.ts.byteLength;
    counted?.add(c.ts);
  }
  if (c.str) for (const s of c.str) bytes += 16 + 2 * s.length;
  return bytes;
}

/** First index with ts ≥ t (binary search). */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Location points of a span: timestamps, latitudes, longitudes, sorted by time. */
export interface PointColumns {
  ts: Float64Array;
  lat: Float64Array;
  lng: Float64Array;
}

export const EMPTY_POINTS: PointColumns = { ts: new Float64Array(0), lat: new Float64Array(0), lng: new Float64Array(0) };

export function sortedOf(c: Column): Float64Array {
  if (!c.sorted) {
    c.sorted = Float64Array.from(c.num!).sort();
    c.grow?.(c.sorted.byteLength);
  }
  return c.sorted;
}

/** Concatenates per-segment points inside [from, to) and sorts them by time. */
export function mergePoints(parts: readonly PointColumns[], from: number, to: number): PointColumns {
  let n = 0;
  for (const p of parts) n += p.ts.length;
  const idx: number[] = [];
  const ts = new Float64Array(n), lat = new Float64Array(n), lng = new Float64Array(n);
  let k = 0;
  for (const p of parts) {
    for (let i = 0; i < p.ts.length; i++) {
      const t = p.ts[i]!;
      if (t < from || t >= to) continue;
      ts[k] = t;
      lat[k] = p.lat[i]!;
      lng[k] = p.lng[i]!;
      idx.push(k++);
    }
  }
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  return { ts: Float64Array.from(idx, (i) => ts[i]!), lat: Float64Array.from(idx, (i) => lat[i]!), lng: Float64Array.from(idx, (i) => lng[i]!) };
}

/** Concatenates columns inside [from, to), sorted by time. */
export function mergeColumns(parts: readonly Column[], from: number, to: number): Column {
  const rows: Array<[number, number | string]> = [];
  for (const c of parts) {
    for (let i = 0; i < c.ts.length; i++) {
      const t = c.ts[i]!;
      if (t >= from && t < to) rows.push([t, c.num ? c.num[i]! : c.str![i]!]);
    }
  }
  rows.sort((a, b) => a[0] - b[0]);
  const ts = Float64Array.from(rows, (r) => r[0]);
  if (rows.length > 0 && typeof rows[0]![1] === 'string') return { ts, num: undefined, str: rows.map((r) => r[1] as string) };
  return { ts, num: Float64Array.from(rows, (r) => r[1] as number), str: undefined };
}
