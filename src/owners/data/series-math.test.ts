// The owner's charts and trip map: merging stored and fresh samples, thinning for a chart, cutting trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeSamples, metres, thin, toTrips, type TripPoint } from './series-math.ts';

test('mergeSamples keeps one sample per time (the later list wins), sorted', () => {
  assert.deepEqual(mergeSamples([[3, 30], [1, 10]], [[2, 20], [3, 31]]), [[1, 10], [2, 20], [3, 31]]);
});

test('thin keeps small series as they are and averages big numeric ones, keeping min and max', () => {
  assert.deepEqual(thin([[1, 5], [2, 6]], 10), { ts: [1, 2], v: [5, 6] });
  const big = Array.from({ length: 100 }, (_, i) => [i * 1000, i % 10 === 0 ? 100 : 1] as [number, number]);
  const t = thin(big, 10);
  assert.equal(t.ts.length, 10);
  assert.deepEqual(t.max, Array(10).fill(100), 'every spike survives as a max');
  assert.deepEqual(t.min, Array(10).fill(1));
  assert.equal(t.v[0], (100 + 9) / 10);
  assert.equal(t.ts[0], 4500);
  const strings = thin(Array.from({ length: 9 }, (_, i) => [i, `s${i}`] as [number, string]), 3);
  assert.deepEqual(strings, { ts: [2, 5, 8], v: ['s2', 's5', 's8'] }, 'strings keep each bucket\'s last value');
});

test('toTrips cuts at gaps, drops parking, keeps redacted drives that look stationary', () => {
  const p = (ts: number, lat: number, lng: number, redacted = false): TripPoint => ({ ts, lat, lng, redacted });
  const min = 60_000;
  const points = [
    p(0, 30.26, -97.74), p(min, 30.265, -97.74), p(2 * min, 30.27, -97.74), // a drive of ~1.1 km
    p(30 * min, 30.27, -97.74), p(31 * min, 30.27001, -97.74), // parked: not a trip
    p(60 * min, 30.3, -97.7, true), p(61 * min, 30.3, -97.7, true), // inside a redact zone: one cell centre
  ];
  const trips = toTrips(points);
  assert.equal(trips.length, 2);
  assert.deepEqual([trips[0]!.start, trips[0]!.end, trips[0]!.redactedPoints], [0, 2 * min, 0]);
  assert.ok(Math.abs(trips[0]!.distanceKm - 1.11) < 0.02, String(trips[0]!.distanceKm));
  assert.deepEqual([trips[1]!.start, trips[1]!.redactedPoints], [60 * min, 2]);
  assert.ok(Math.abs(metres({ lat: 0, lng: 0 }, { lat: 0, lng: 1 }) - 111_195) < 10);
});
