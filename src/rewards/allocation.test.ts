// Pro-rata allocation: shares always sum to the budget exactly, follow the documented rounding rule, and
// are fair to within one wei of the exact share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate } from './allocation.ts';

test('sums exactly to the budget and gives the remainder to the largest fractions, ties to the lower id', () => {
  // 10 wei over 3 equal earners: 3 each and one left, which goes to the lowest id among equal remainders.
  assert.deepEqual(allocate(10n, [{ id: 9n, points: 1n }, { id: 3n, points: 1n }, { id: 5n, points: 1n }]), [3n, 4n, 3n]);
  // 100 over 1:2:4 (7): exact 14.28, 28.57, 57.14 → floors 14, 28, 57 (99); the largest fraction (.57, id 2) gets the last wei.
  assert.deepEqual(allocate(100n, [{ id: 1n, points: 1n }, { id: 2n, points: 2n }, { id: 3n, points: 4n }]), [14n, 29n, 57n]);
  assert.deepEqual(allocate(0n, [{ id: 1n, points: 5n }]), [0n]);
  assert.deepEqual(allocate(50n, [{ id: 1n, points: 0n }, { id: 2n, points: 0n }]), [0n, 0n], 'no points, nothing allocated');
  assert.deepEqual(allocate(50n, [{ id: 1n, points: 0n }, { id: 2n, points: 3n }]), [0n, 50n]);
  assert.throws(() => allocate(-1n, []), RangeError);
  assert.throws(() => allocate(1n, [{ id: 1n, points: -1n }]), RangeError);
});

test('property: for many random populations the shares sum to the budget and stay within a wei of exact', () => {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + rnd(60);
    const claimants = Array.from({ length: n }, (_, i) => ({ id: BigInt(1000 - i * 7), points: BigInt(rnd(5) === 0 ? 0 : rnd(9000)) }));
    const budget = BigInt(rnd(1_000_000)) * 10n ** BigInt(rnd(19)) + BigInt(rnd(1000));
    const shares = allocate(budget, claimants);
    const total = claimants.reduce((s, c) => s + c.points, 0n);
    if (total === 0n) {
      assert.ok(shares.every((s) => s === 0n));
      continue;
    }
    assert.equal(shares.reduce((a, b) => a + b, 0n), budget, `trial ${trial}`);
    claimants.forEach((c, i) => {
      const floor = (budget * c.points) / total;
      assert.ok(shares[i] === floor || shares[i] === floor + 1n, `trial ${trial}: share ${i} within one wei`);
      if (c.points === 0n) assert.equal(shares[i], 0n);
    });
  }
});
