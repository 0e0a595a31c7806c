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
}

export function toColumn(series: Series): Column {
  const n = series.ts.length;
  const ts = Float64Array.from(series.ts);
  if (n > 0 && typeof series.v[0] === 'string') return { ts, num: undefined, str: series.v.map(String) };
  const num = new Float64Array(n);
  for (let i = 0; i < n; i++) num[i] = Number(series.v[i]);
  return { ts, num, str: undefined };
}

export function columnBytes(c: Column): number {
  // Numeric columns count their sorted copy too (made lazily, kept with the column).
  let bytes = 64 + c.ts.byteLength + 2 * (c.num?.byteLength ?? 0);
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
  return (c.sorted ??= Float64Array.from(c.num!).sort());
}
