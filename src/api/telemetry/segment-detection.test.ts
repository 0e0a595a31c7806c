import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changePointWindows, ignitionSegments, levelRiseSegments, union, windowSegments } from './segment-detection.ts';

const MIN = 60_000;
const f = (xs: number[]) => Float64Array.from(xs);

test('ignition: short off periods bridge, silence ends a run, an open run is ongoing', () => {
  const ts = f([0, 1, 2, 3, 5, 20, 21].map((m) => m * MIN));
  const on = f([1, 1, 0, 1, 0, 1, 1]);
  const o = { from: 0, to: 22 * MIN, maxGapMs: 5 * MIN };
  assert.deepEqual(ignitionSegments(ts, on, o), [
    { start: 0, end: 5 * MIN, ongoing: false, startedBefore: false },
    { start: 20 * MIN, end: 22 * MIN, ongoing: true, startedBefore: false },
  ]);
  assert.deepEqual(ignitionSegments(f([0, 10 * MIN]), f([1, 1]), { from: 0, to: 60 * MIN, maxGapMs: 5 * MIN }).map((s) => [s.start, s.end]), [[0, 0], [10 * MIN, 10 * MIN]], 'a silence longer than the gap splits');
  assert.equal(ignitionSegments(ts, on, { from: MIN, to: 22 * MIN, maxGapMs: 5 * MIN })[0]!.startedBefore, true);
});

test('windows: gaps up to maxGap bridge', () => {
  const active = Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(windowSegments(active, { from: 0, to: 12 * MIN + 30_000, maxGapMs: 3 * MIN }).map((s) => [s.start / MIN, s.end / MIN, s.ongoing]), [[0, 5, false], [11, 12.5, true]]);
});

test('level rises ignore small dips and need the minimum increase', () => {
  const ts = f([0, 1, 2, 3, 4, 5, 6].map((m) => m * MIN));
  const v = f([20, 30, 29.8, 50, 49, 60, 60]);
  const o = { from: 0, to: 10 * MIN, maxGapMs: 5 * MIN };
  assert.deepEqual(levelRiseSegments(ts, v, 15, o).map((s) => [s.start / MIN, s.end / MIN]), [[0, 3]], 'a 1-point dip ends the climb at its peak');
  assert.deepEqual(levelRiseSegments(ts, v, 40, o), []);
});

test('CUSUM marks the busy regime and union merges detections', () => {
  const counts = Uint32Array.from([0, 0, 0, 9, 9, 9, 0, 0]);
  assert.deepEqual([...changePointWindows(counts)], [0, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual(union([{ start: 0, end: 10, ongoing: false, startedBefore: false }], [{ start: 12, end: 20, ongoing: false, startedBefore: false }], 5).map((s) => [s.start, s.end]), [[0, 20]]);
});
