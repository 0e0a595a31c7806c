import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FloatAccumulator, StringAccumulator, feedFloat, makeBuckets, rollupBucket } from './aggregation.ts';
import { median } from './median.ts';
import { rollupOf } from '../../vault/rollups.ts';

test('median is exact: middle value, or the mean of the two middle values', () => {
  assert.equal(median([3]), 3);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([40, 5, 5, 30]), 17.5);
  assert.equal(median([2, 2, 2, 2]), 2);
  for (let n = 1; n < 60; n++) {
    const values = Array.from({ length: n }, (_, i) => (i * 7919) % 101);
    const sorted = [...values].sort((a, b) => a - b);
    const expected = n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    assert.equal(median([...values]), expected, `n=${n}`);
  }
});

test('a whole-chunk rollup gives what its samples give', () => {
  const b = makeBuckets(0, 100, 50);
  const series = { ts: [10, 20, 30], v: [4, 8, 6] };
  const col = { ts: Float64Array.from(series.ts), num: Float64Array.from(series.v as number[]), str: undefined };
  for (const agg of ['AVG', 'MAX', 'MIN', 'FIRST', 'LAST'] as const) {
    const fromSamples = new FloatAccumulator(b.count, agg);
    feedFloat(fromSamples, b, col);
    const fromRollup = new FloatAccumulator(b.count, agg);
    fromRollup.addRollup(rollupBucket(b, rollupOf(series)), rollupOf(series));
    assert.equal(fromRollup.result(0), fromSamples.result(0), agg);
  }
  assert.equal(rollupBucket(b, rollupOf({ ts: [40, 60], v: [1, 2] })), -1, 'straddles a bucket edge');
  assert.equal(rollupBucket(makeBuckets(15, 100, 50), rollupOf(series)), -1, 'starts before from');
});

test('RAND is one of the bucket samples, uniformly', () => {
  const counts = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    const acc = new FloatAccumulator(1, 'RAND');
    for (const v of [1, 2, 3, 4]) acc.add(0, v, v);
    const r = acc.result(0)!;
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  for (const v of [1, 2, 3, 4]) assert.ok(counts.get(v)! > 800 && counts.get(v)! < 1200, `${v}: ${counts.get(v)}`);
});

test('strings: TOP breaks ties to the smallest value, UNIQUE sorts', () => {
  const acc = new StringAccumulator(1, 'TOP');
  for (const v of ['b', 'a', 'b', 'a', 'c']) acc.add(0, 0, v);
  assert.equal(acc.result(0), 'a');
  const u = new StringAccumulator(1, 'UNIQUE');
  for (const v of ['b', 'a', 'b']) u.add(0, 0, v);
  assert.equal(u.result(0), 'a,b');
});

test('MED over whole segments selects from their sorted copies (one, two or three segments)', () => {
  const b = makeBuckets(0, 1000, 1000);
  const col = (ts: number[], v: number[]) => ({ ts: Float64Array.from(ts), num: Float64Array.from(v), str: undefined });
  const sets = [
    [col([1, 2, 3], [9, 1, 5])],
    [col([1, 2, 3], [9, 1, 5]), col([4, 5], [2, 7])],
    [col([1, 2], [4, 4]), col([3, 4, 5], [1, 8, 3]), col([6], [6])],
  ];
  for (const cols of sets) {
    const acc = new FloatAccumulator(1, 'MED');
    for (const c of cols) feedFloat(acc, b, c);
    const all = cols.flatMap((c) => [...c.num]);
    assert.equal(acc.result(0), median([...all]), JSON.stringify(all));
  }
  const partial = new FloatAccumulator(2, 'MED');
  feedFloat(partial, makeBuckets(0, 6, 3), col([1, 2, 3, 4, 5], [9, 1, 5, 2, 7]));
  assert.deepEqual([partial.result(0), partial.result(1)], [5, 5], 'slices of one segment: [9, 1] → 5 and [5, 2, 7] → 5');
});
