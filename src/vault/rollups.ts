// Per-signal rollups of one chunk segment, so aggregations over whole chunks need not decrypt samples.
// They merge: count and sum add, min/max compare, first/last compare timestamps.
export interface Rollup {
  count: number;
  /** Numeric signals only. */
  sum?: number;
  min?: number;
  max?: number;
  first: [number, number | string];
  last: [number, number | string];
}

/** Samples of one signal in a segment, sorted by time. */
export interface Series {
  ts: number[];
  v: Array<number | string>;
}

export function rollupOf(series: Series): Rollup {
  const n = series.ts.length;
  const r: Rollup = { count: n, first: [series.ts[0]!, series.v[0]!], last: [series.ts[n - 1]!, series.v[n - 1]!] };
  if (typeof series.v[0] === 'number') {
    let sum = 0, min = Infinity, max = -Infinity;
    for (const x of series.v as number[]) {
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    r.sum = sum;
    r.min = min;
    r.max = max;
  }
  return r;
}

export function mergeRollups(a: Rollup, b: Rollup): Rollup {
  const out: Rollup = {
    count: a.count + b.count,
    first: b.first[0] < a.first[0] ? b.first : a.first,
    last: b.last[0] >= a.last[0] ? b.last : a.last,
  };
  if (a.sum !== undefined && b.sum !== undefined) {
    out.sum = a.sum + b.sum;
    out.min = Math.min(a.min!, b.min!);
    out.max = Math.max(a.max!, b.max!);
  }
  return out;
}

/** Sorts a series by time in place (stable: later arrivals stay after earlier ones at equal times). */
export function sortSeries(series: Series): Series {
  let sorted = true;
  for (let i = 1; i < series.ts.length; i++) if (series.ts[i]! < series.ts[i - 1]!) { sorted = false; break; }
  if (sorted) return series;
  const order = series.ts.map((_, i) => i).sort((x, y) => series.ts[x]! - series.ts[y]! || x - y);
  return { ts: order.map((i) => series.ts[i]!), v: order.map((i) => series.v[i]!) };
}
