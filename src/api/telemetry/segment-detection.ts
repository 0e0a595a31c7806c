// Segment detection over time series (pure functions, epoch ms). Each detector returns raw segments in
// time order; the resolver clips them to the query range, filters by duration and pages them.
//   ignition:   runs of isIgnitionOn = 1; an off period (or a silence) shorter than maxGap is bridged
//   windows:    runs of "active" one-minute windows (by sample count, idle rpm…), gaps ≤ maxGap bridged
//   level rise: the level climbs (dips under 0.5 points ignored) by at least minIncrease points, with no
//               silence longer than maxGap; the segment spans the climb
//   CUSUM:      per-minute sample counts against the range's baseline; positive cumulative excess marks
//               the active regime
export interface RawSegment {
  start: number;
  /** Last activity (or the range end for an ongoing segment). */
  end: number;
  ongoing: boolean;
  startedBefore: boolean;
}

export const WINDOW_MS = 60_000;
const LEVEL_TOLERANCE = 0.5;

export interface RangeOptions {
  from: number;
  to: number;
  maxGapMs: number;
}

/** Ignition runs; `ts` may start before `from` (lookback) to tell whether a run started earlier. */
export function ignitionSegments(ts: Float64Array, on: Float64Array, o: RangeOptions): RawSegment[] {
  const out: RawSegment[] = [];
  let start = NaN;
  let lastOn = NaN;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (on[i]! > 0.5) {
      if (Number.isNaN(start)) start = t;
      else if (t - lastOn > o.maxGapMs) {
        // Silence longer than the gap: the earlier run ended at its last report.
        out.push({ start, end: lastOn, ongoing: false, startedBefore: false });
        start = t;
      }
      lastOn = t;
    } else if (!Number.isNaN(start)) {
      // An off report: the run ends unless it comes back on within maxGap.
      let j = i + 1;
      while (j < ts.length && on[j]! <= 0.5) j++;
      if (j < ts.length && ts[j]! - t < o.maxGapMs) {
        i = j - 1;
        continue;
      }
      out.push({ start, end: t, ongoing: false, startedBefore: false });
      start = NaN;
    }
  }
  if (!Number.isNaN(start)) {
    const ongoing = o.to - lastOn <= o.maxGapMs;
    out.push({ start, end: ongoing ? o.to : lastOn, ongoing, startedBefore: false });
  }
  return clip(out, o);
}

/** Runs of active windows (window i = [from + i·WINDOW_MS, …)), gaps up to maxGap bridged. */
export function windowSegments(active: Uint8Array, o: RangeOptions): RawSegment[] {
  const out: RawSegment[] = [];
  let start = -1;
  let endW = -1;
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    if (start >= 0 && (i - endW - 1) * WINDOW_MS > o.maxGapMs) {
      out.push(fromWindows(start, endW, o));
      start = -1;
    }
    if (start < 0) start = i;
    endW = i;
  }
  if (start >= 0) out.push(fromWindows(start, endW, o));
  return out;
}

function fromWindows(first: number, last: number, o: RangeOptions): RawSegment {
  const end = Math.min(o.to, o.from + (last + 1) * WINDOW_MS);
  // Still going when the range ends before a full gap of silence has passed.
  const ongoing = o.to - end <= o.maxGapMs;
  return { start: o.from + first * WINDOW_MS, end: ongoing ? o.to : end, ongoing, startedBefore: first === 0 };
}

/** Samples per one-minute window over [from, to). */
export function windowCounts(times: readonly Float64Array[], o: RangeOptions): Uint32Array {
  const n = Math.max(0, Math.ceil((o.to - o.from) / WINDOW_MS));
  const counts = new Uint32Array(n);
  for (const ts of times) for (const t of ts) if (t >= o.from && t < o.to) counts[Math.floor((t - o.from) / WINDOW_MS)]!++;
  return counts;
}

/** CUSUM of per-minute counts over a slack just above the range's median minute. */
export function changePointWindows(counts: Uint32Array): Uint8Array {
  const sorted = Uint32Array.from(counts).sort();
  const median = sorted.length > 0 ? sorted[sorted.length >> 1]! : 0;
  const slack = median + 1;
  const active = new Uint8Array(counts.length);
  let s = 0;
  for (let i = 0; i < counts.length; i++) {
    s = Math.max(0, s + counts[i]! - slack);
    // Active while the excess accumulates and this minute itself is above the baseline.
    if (s > 0 && counts[i]! > median) active[i] = 1;
  }
  return active;
}

/** Climbs of a level (fuel %, state of charge %) by at least `minIncrease` points. */
export function levelRiseSegments(ts: Float64Array, v: Float64Array, minIncrease: number, o: RangeOptions): RawSegment[] {
  const out: RawSegment[] = [];
  let i = 0;
  while (i < ts.length - 1) {
    if (!(v[i + 1]! > v[i]!) || ts[i + 1]! - ts[i]! > o.maxGapMs) {
      i++;
      continue;
    }
    const start = i;
    let peak = i + 1;
    let j = i + 1;
    while (j + 1 < ts.length && ts[j + 1]! - ts[j]! <= o.maxGapMs && v[j + 1]! >= v[peak]! - LEVEL_TOLERANCE) {
      j++;
      if (v[j]! > v[peak]!) peak = j;
    }
    if (v[peak]! - v[start]! >= minIncrease) out.push({ start: ts[start]!, end: ts[peak]!, ongoing: false, startedBefore: false });
    i = Math.max(peak, start + 1);
  }
  return clip(out, o);
}

/** Merges overlapping or touching segments (union of detections), in time order. */
export function union(a: RawSegment[], b: RawSegment[], maxGapMs: number): RawSegment[] {
  const all = [...a, ...b].sort((x, y) => x.start - y.start);
  const out: RawSegment[] = [];
  for (const s of all) {
    const last = out.at(-1);
    if (last && s.start - last.end <= maxGapMs) {
      last.end = Math.max(last.end, s.end);
      last.ongoing ||= s.ongoing;
      last.startedBefore ||= s.startedBefore;
    } else out.push({ ...s });
  }
  return out;
}

/** Clips to [from, to]: a segment that began earlier starts at `from` and says so; ones ending before `from` go. */
function clip(segments: RawSegment[], o: RangeOptions): RawSegment[] {
  const out: RawSegment[] = [];
  for (const s of segments) {
    if (s.end < o.from || s.start >= o.to) continue;
    const before = s.start < o.from;
    out.push({ start: before ? o.from : s.start, end: Math.min(s.end, o.to), ongoing: s.ongoing, startedBefore: before || s.startedBefore });
  }
  return out;
}
