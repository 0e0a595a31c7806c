// Time buckets and the aggregations of the telemetry API. Buckets start at `from` and are `interval`
// long; the last one ends at `to` (exclusive): bucket i = [from + i·interval, min(from + (i+1)·interval, to)).
// Accumulators take samples one by one, or whole chunk rollups where the aggregation allows it (AVG,
// MIN, MAX, FIRST, LAST: count/sum/min/max/first/last merge exactly). MED is exact: the middle value, or
// the mean of the two middle values for an even count. RAND is a uniformly chosen sample.
import type { Rollup } from '../../vault/rollups.ts';
import type { Column } from './columns.ts';
import { lowerBound, sortedOf } from './columns.ts';
import { kthOfSorted, median } from './median.ts';

export type FloatAgg = 'AVG' | 'MED' | 'MAX' | 'MIN' | 'RAND' | 'FIRST' | 'LAST';
export type StringAgg = 'RAND' | 'UNIQUE' | 'TOP' | 'FIRST' | 'LAST';
export type LocationAgg = 'AVG' | 'RAND' | 'FIRST' | 'LAST';

export interface Buckets {
  from: number;
  to: number;
  interval: number;
  count: number;
}

export function makeBuckets(from: number, to: number, interval: number): Buckets {
  return { from, to, interval, count: Math.max(0, Math.ceil((to - from) / interval)) };
}

export function bucketOf(b: Buckets, ts: number): number {
  return Math.floor((ts - b.from) / b.interval);
}

export function bucketStart(b: Buckets, i: number): number {
  return b.from + i * b.interval;
}

/** Aggregations a chunk rollup answers without its samples. */
export function rollupAnswers(agg: FloatAgg | StringAgg): boolean {
  return agg === 'AVG' || agg === 'MAX' || agg === 'MIN' || agg === 'FIRST' || agg === 'LAST';
}

/** The bucket a whole rollup falls in, or -1 when its samples straddle a boundary or leave [from, to). */
export function rollupBucket(b: Buckets, r: Rollup): number {
  const first = r.first[0];
  const last = r.last[0];
  if (first < b.from || last >= b.to) return -1;
  const i = bucketOf(b, first);
  return bucketOf(b, last) === i ? i : -1;
}

export class FloatAccumulator {
  readonly agg: FloatAgg;
  readonly #count: Float64Array;
  readonly #sum: Float64Array;
  readonly #min: Float64Array;
  readonly #max: Float64Array;
  readonly #firstTs: Float64Array;
  readonly #first: Float64Array;
  readonly #lastTs: Float64Array;
  readonly #last: Float64Array;
  readonly #values: Array<number[] | undefined>;
  /** MED: runs of whole columns or column slices per bucket, read only when the median is asked. */
  readonly #parts: Array<Array<{ col: Column; lo: number; hi: number; whole: boolean }> | undefined>;
  readonly #random: () => number;

  constructor(n: number, agg: FloatAgg, random: () => number = Math.random) {
    this.agg = agg;
    this.#count = new Float64Array(n);
    this.#sum = new Float64Array(n);
    this.#min = new Float64Array(n).fill(Infinity);
    this.#max = new Float64Array(n).fill(-Infinity);
    this.#firstTs = new Float64Array(n).fill(Infinity);
    this.#first = new Float64Array(n);
    this.#lastTs = new Float64Array(n).fill(-Infinity);
    this.#last = new Float64Array(n);
    this.#values = agg === 'MED' ? new Array(n) : [];
    this.#parts = agg === 'MED' ? new Array(n) : [];
    this.#random = random;
  }

  /** MED only: samples [lo, hi) of a column, all in bucket i; `whole` when they are the entire column. */
  addRange(i: number, col: Column, lo: number, hi: number, whole: boolean): void {
    if (hi <= lo) return;
    this.#count[i]! += hi - lo;
    (this.#parts[i] ??= []).push({ col, lo, hi, whole });
  }

  add(i: number, ts: number, v: number): void {
    const c = ++this.#count[i]!;
    switch (this.agg) {
      case 'AVG':
        this.#sum[i]! += v;
        break;
      case 'MIN':
        if (v < this.#min[i]!) this.#min[i] = v;
        break;
      case 'MAX':
        if (v > this.#max[i]!) this.#max[i] = v;
        break;
      case 'FIRST':
        if (ts < this.#firstTs[i]!) {
          this.#firstTs[i] = ts;
          this.#first[i] = v;
        }
        break;
      case 'LAST':
        if (ts >= this.#lastTs[i]!) {
          this.#lastTs[i] = ts;
          this.#last[i] = v;
        }
        break;
      case 'MED':
        (this.#values[i] ??= []).push(v);
        break;
      case 'RAND':
        // Reservoir of one: the c-th value replaces the pick with probability 1/c.
        if (c === 1 || this.#random() * c < 1) this.#first[i] = v;
        break;
    }
  }

  addRollup(i: number, r: Rollup): void {
    if (r.count === 0) return;
    this.#count[i]! += r.count;
    switch (this.agg) {
      case 'AVG':
        this.#sum[i]! += r.sum ?? 0;
        break;
      case 'MIN':
        if (r.min! < this.#min[i]!) this.#min[i] = r.min!;
        break;
      case 'MAX':
        if (r.max! > this.#max[i]!) this.#max[i] = r.max!;
        break;
      case 'FIRST':
        if (r.first[0] < this.#firstTs[i]!) {
          this.#firstTs[i] = r.first[0];
          this.#first[i] = Number(r.first[1]);
        }
        break;
      case 'LAST':
        if (r.last[0] >= this.#lastTs[i]!) {
          this.#lastTs[i] = r.last[0];
          this.#last[i] = Number(r.last[1]);
        }
        break;
      default:
        throw new Error(`${this.agg} needs samples`);
    }
  }

  has(i: number): boolean {
    return this.#count[i]! > 0;
  }

  result(i: number): number | null {
    if (this.#count[i] === 0) return null;
    switch (this.agg) {
      case 'AVG':
        return this.#sum[i]! / this.#count[i]!;
      case 'MIN':
        return this.#min[i]!;
      case 'MAX':
        return this.#max[i]!;
      case 'FIRST':
        return this.#first[i]!;
      case 'LAST':
        return this.#last[i]!;
      case 'MED':
        return this.#median(i);
      case 'RAND':
        return this.#first[i]!;
    }
  }

  #median(i: number): number {
    const parts = this.#parts[i] ?? [];
    const loose = this.#values[i] ?? [];
    const n = this.#count[i]!;
    if (loose.length === 0 && parts.every((p) => p.whole)) {
      // Whole segments: select from their sorted copies without gathering anything.
      const arrays = parts.map((p) => sortedOf(p.col));
      const hi = kthOfSorted(arrays, n >> 1);
      return n % 2 === 1 ? hi : (kthOfSorted(arrays, (n >> 1) - 1) + hi) / 2;
    }
    const scratch = new Float64Array(n);
    let k = 0;
    for (const p of parts) {
      scratch.set(p.col.num!.subarray(p.lo, p.hi), k);
      k += p.hi - p.lo;
    }
    for (const v of loose) scratch[k++] = v;
    return median(scratch);
  }
}

export class StringAccumulator {
  readonly agg: StringAgg;
  readonly #state: Array<{ n: number; pick?: string; firstTs: number; first?: string; lastTs: number; last?: string; counts?: Map<string, number> } | undefined>;
  readonly #random: () => number;

  constructor(n: number, agg: StringAgg, random: () => number = Math.random) {
    this.agg = agg;
    this.#state = new Array(n);
    this.#random = random;
  }

  #at(i: number) {
    return (this.#state[i] ??= { n: 0, firstTs: Infinity, lastTs: -Infinity });
  }

  add(i: number, ts: number, v: string): void {
    const s = this.#at(i);
    s.n++;
    switch (this.agg) {
      case 'RAND':
        if (s.n === 1 || this.#random() * s.n < 1) s.pick = v;
        break;
      case 'FIRST':
        if (ts < s.firstTs) {
          s.firstTs = ts;
          s.first = v;
        }
        break;
      case 'LAST':
        if (ts >= s.lastTs) {
          s.lastTs = ts;
          s.last = v;
        }
        break;
      default: {
        const counts = (s.counts ??= new Map());
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    }
  }

  addRollup(i: number, r: Rollup): void {
    if (r.count === 0) return;
    if (this.agg === 'FIRST') this.add(i, r.first[0], String(r.first[1]));
    else if (this.agg === 'LAST') this.add(i, r.last[0], String(r.last[1]));
    else throw new Error(`${this.agg} needs samples`);
    this.#at(i).n += r.count - 1;
  }

  has(i: number): boolean {
    return (this.#state[i]?.n ?? 0) > 0;
  }

  result(i: number): string | null {
    const s = this.#state[i];
    if (!s || s.n === 0) return null;
    switch (this.agg) {
      case 'RAND':
        return s.pick!;
      case 'FIRST':
        return s.first!;
      case 'LAST':
        return s.last!;
      case 'UNIQUE':
        // Distinct values, sorted, comma-joined (DIMO's shape).
        return [...s.counts!.keys()].sort().join(',');
      case 'TOP': {
        // Most frequent; ties go to the smallest value so answers are stable.
        let best = '';
        let bestN = -1;
        for (const [v, n] of s.counts!) if (n > bestN || (n === bestN && v < best)) [best, bestN] = [v, n];
        return best;
      }
    }
  }
}

export interface LatLng {
  latitude: number;
  longitude: number;
}

export class LocationAccumulator {
  readonly agg: LocationAgg;
  readonly #n: Float64Array;
  readonly #lat: Float64Array;
  readonly #lng: Float64Array;
  readonly #ts: Float64Array;
  readonly #random: () => number;

  constructor(n: number, agg: LocationAgg, random: () => number = Math.random) {
    this.agg = agg;
    this.#n = new Float64Array(n);
    this.#lat = new Float64Array(n);
    this.#lng = new Float64Array(n);
    this.#ts = new Float64Array(n).fill(agg === 'FIRST' ? Infinity : -Infinity);
    this.#random = random;
  }

  add(i: number, ts: number, lat: number, lng: number): void {
    const c = ++this.#n[i]!;
    switch (this.agg) {
      case 'AVG':
        this.#lat[i]! += lat;
        this.#lng[i]! += lng;
        break;
      case 'RAND':
        if (c === 1 || this.#random() * c < 1) [this.#lat[i], this.#lng[i]] = [lat, lng];
        break;
      case 'FIRST':
        if (ts < this.#ts[i]!) [this.#ts[i], this.#lat[i], this.#lng[i]] = [ts, lat, lng];
        break;
      case 'LAST':
        if (ts >= this.#ts[i]!) [this.#ts[i], this.#lat[i], this.#lng[i]] = [ts, lat, lng];
        break;
    }
  }

  has(i: number): boolean {
    return this.#n[i]! > 0;
  }

  result(i: number): LatLng | null {
    const n = this.#n[i]!;
    if (n === 0) return null;
    return this.agg === 'AVG' ? { latitude: this.#lat[i]! / n, longitude: this.#lng[i]! / n } : { latitude: this.#lat[i]!, longitude: this.#lng[i]! };
  }
}

/** Feeds a column's samples in [from, to) that pass `test` into the accumulator's buckets. */
export function feedFloat(acc: FloatAccumulator, b: Buckets, col: Column, test?: (x: number) => boolean): void {
  const { ts, num } = col;
  if (!num) return;
  const end = lowerBound(ts, b.to);
  if (acc.agg === 'MED' && !test) {
    for (let k = lowerBound(ts, b.from); k < end;) {
      const i = Math.floor((ts[k]! - b.from) / b.interval);
      const hi = Math.min(end, lowerBound(ts, Math.min(b.to, b.from + (i + 1) * b.interval)));
      acc.addRange(i, col, k, hi, k === 0 && hi === ts.length);
      k = hi;
    }
    return;
  }
  for (let k = lowerBound(ts, b.from); k < end; k++) {
    const v = num[k]!;
    if (test && !test(v)) continue;
    const t = ts[k]!;
    acc.add(Math.floor((t - b.from) / b.interval), t, v);
  }
}

export function feedString(acc: StringAccumulator, b: Buckets, col: Column): void {
  const { ts, str } = col;
  if (!str) return;
  const end = lowerBound(ts, b.to);
  for (let k = lowerBound(ts, b.from); k < end; k++) acc.add(Math.floor((ts[k]! - b.from) / b.interval), ts[k]!, str[k]!);
}
