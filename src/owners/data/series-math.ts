// Small pure helpers behind the owner's charts and trip map: merging stored and just-arrived samples,
// thinning a series to what a chart can show, and cutting location points into trips.
import type { Trip, TripPoint } from '../../api/shapes/owner-vehicle.ts';

export type { Trip, TripPoint };

export type Sample = [ts: number, value: number | string];

/** Merges sorted-or-not sample lists, one sample per timestamp (the later list wins), sorted by time. */
export function mergeSamples(...lists: Array<ReadonlyArray<Sample>>): Sample[] {
  const byTs = new Map<number, number | string>();
  for (const list of lists) for (const [ts, v] of list) byTs.set(ts, v);
  return [...byTs].sort((a, b) => a[0] - b[0]);
}

/**
 * At most `max` samples: numeric series become bucket means (at the bucket's mean time, with min and
 * max kept so spikes stay visible), other series keep each bucket's last value.
 */
export function thin(samples: readonly Sample[], max: number): { ts: number[]; v: Array<number | string>; min?: number[]; max?: number[] } {
  if (samples.length <= max) return { ts: samples.map((s) => s[0]), v: samples.map((s) => s[1]) };
  const numeric = samples.every((s) => typeof s[1] === 'number');
  const per = Math.ceil(samples.length / max);
  const out = { ts: [] as number[], v: [] as Array<number | string>, min: [] as number[], max: [] as number[] };
  for (let i = 0; i < samples.length; i += per) {
    const bucket = samples.slice(i, i + per);
    if (numeric) {
      const values = bucket.map((s) => s[1] as number);
      out.ts.push(Math.round(bucket.reduce((a, s) => a + s[0], 0) / bucket.length));
      out.v.push(values.reduce((a, x) => a + x, 0) / values.length);
      out.min.push(Math.min(...values));
      out.max.push(Math.max(...values));
    } else {
      const last = bucket[bucket.length - 1]!;
      out.ts.push(last[0]);
      out.v.push(last[1]);
    }
  }
  return numeric ? out : { ts: out.ts, v: out.v };
}

const EARTH_M = 6_371_000;

export function metres(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Cuts points (sorted by time) into trips: a gap of `gapMs` without points ends one. Runs that never
 * leave a 150 m radius are parking, not trips, and are left out (unless redacted: see below).
 */
export function toTrips(points: readonly TripPoint[], gapMs = 10 * 60_000): Trip[] {
  const trips: Trip[] = [];
  let run: TripPoint[] = [];
  const close = () => {
    if (run.length >= 2) {
      const first = run[0]!;
      // Redacted points all sit on one cell centre: a drive inside a zone does not look like it moves.
      if (run.some((p) => p.redacted || metres(first, p) > 150)) {
        let d = 0;
        for (let i = 1; i < run.length; i++) d += metres(run[i - 1]!, run[i]!);
        trips.push({ start: first.ts, end: run[run.length - 1]!.ts, distanceKm: Math.round(d / 10) / 100, redactedPoints: run.filter((p) => p.redacted).length, points: run });
      }
    }
    run = [];
  };
  for (const p of points) {
    if (run.length > 0 && p.ts - run[run.length - 1]!.ts > gapMs) close();
    run.push(p);
  }
  close();
  return trips;
}
