// One week's computation: the points rules with their reasons, one reward per VIN, amounts that sum to
// the budget exactly, and a root that depends only on the inputs (never their order).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeWeek } from './compute-week.ts';
import { ZERO_VIN_HASH } from './reward-rules.ts';
import { verifyProof } from './rewards-tree.ts';
import { INITIAL_STREAK } from './streak.ts';
import { inputsHash, normalizeInputs, type VehicleWeekInput, type WeekInputs } from './week-inputs.ts';

const E18 = 10n ** 18n;
const BUDGET = 773_500n * E18;
const owner = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const vin = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

function vehicle(id: number, over: Partial<VehicleWeekInput> = {}): VehicleWeekInput {
  return { vehicleId: String(id), owner: owner(id), vinHash: vin(id), connected: true, kinds: ['software'], locationOptOut: false, unions: [], prior: INITIAL_STREAK, ...over };
}

const week = (vehicles: VehicleWeekInput[]): WeekInputs => ({ week: 4, weekStart: 0, weekEnd: 1, vehicles });

test('points per connection kind, streak level, location opt-out and unions, with the reasons', () => {
  const r = computeWeek(week([
    vehicle(1),
    vehicle(2, { kinds: ['aftermarket'] }),
    vehicle(3, { kinds: ['aftermarket', 'software'], prior: { level: 2, weeks: 20, missed: 0 } }),
    vehicle(4, { kinds: ['aftermarket'], locationOptOut: true, prior: { level: 4, weeks: 50, missed: 2 } }),
    vehicle(5, { unions: ['charging', 'battery-health'] }),
    vehicle(6, { connected: false, kinds: [], prior: { level: 3, weeks: 30, missed: 2 } }),
  ]), BUDGET);
  const byId = new Map(r.entries.map((e) => [e.vehicleId, e]));
  assert.equal(byId.get('1')!.points, 1_000);
  assert.equal(byId.get('2')!.points, 4_000);
  assert.equal(byId.get('3')!.points, 1_000 + 4_000 + 2_000, 'week 21 reaches level 3');
  assert.deepEqual(byId.get('3')!.streak, { level: 3, weeks: 21, missed: 0 });
  // (4000 + 3000) − 25 % = 5250
  assert.equal(byId.get('4')!.points, 5_250);
  assert.deepEqual(byId.get('4')!.reasons.map((x) => x.code), ['connection', 'streak', 'location_opt_out']);
  assert.deepEqual(byId.get('4')!.reasons[2], { code: 'location_opt_out', percent: -25, points: -1_750 });
  assert.equal(byId.get('5')!.points, 1_000 + 250 + 250);
  assert.deepEqual(byId.get('5')!.reasons.filter((x) => x.code === 'union').map((x) => (x as { union: string }).union), ['battery-health', 'charging']);
  const missed = byId.get('6')!;
  assert.equal(missed.points, 0);
  assert.equal(missed.amount, 0n);
  assert.deepEqual(missed.streak, { level: 2, weeks: 4, missed: 0 });
  assert.deepEqual(missed.reasons, [{ code: 'level_dropped', from: 3, to: 2 }, { code: 'not_connected', missedWeeks: 3 }]);
  assert.equal(r.total, BUDGET, 'the budget is paid out exactly');
  assert.equal(r.totalPoints, BigInt(1_000 + 4_000 + 7_000 + 5_250 + 1_500));
  // Amounts are pro rata: vehicle 2 earns 4× vehicle 1, to within a wei.
  const a1 = byId.get('1')!.amount;
  const a2 = byId.get('2')!.amount;
  assert.ok(a2 - 4n * a1 <= 4n && 4n * a1 - a2 <= 4n);
});

test('two vehicles with one VIN earn once: the one with more points, ties to the lower token id', () => {
  const shared = vin(777);
  const r = computeWeek(week([
    vehicle(10, { vinHash: shared }),
    vehicle(11, { vinHash: shared, kinds: ['aftermarket'] }),
    vehicle(20, { vinHash: vin(5) }),
    vehicle(21, { vinHash: vin(5) }),
    vehicle(30, { vinHash: ZERO_VIN_HASH }),
    vehicle(31, { vinHash: ZERO_VIN_HASH }),
    vehicle(40, { vinHash: null }),
    vehicle(41, { vinHash: shared, connected: false, kinds: [] }),
  ]), BUDGET);
  const byId = new Map(r.entries.map((e) => [e.vehicleId, e]));
  assert.equal(byId.get('10')!.amount, 0n);
  assert.deepEqual(byId.get('10')!.reasons.at(-1), { code: 'duplicate_vin', earnedBy: '11', points: -1_000 });
  assert.ok(byId.get('11')!.amount > 0n);
  assert.ok(byId.get('20')!.amount > 0n, 'equal points: the lower token id earns');
  assert.equal(byId.get('21')!.amount, 0n);
  assert.ok(byId.get('30')!.amount > 0n && byId.get('31')!.amount > 0n, 'an unknown (zero) VIN hash never groups vehicles');
  assert.ok(byId.get('40')!.amount > 0n);
  assert.deepEqual(byId.get('41')!.reasons.map((x) => x.code), ['not_connected'], 'a disconnected duplicate is simply not connected');
  assert.equal(byId.get('10')!.streak.weeks, 1, 'the duplicate still keeps its streak');
  const paid = r.entries.filter((e) => e.amount > 0n);
  assert.equal(new Set(paid.map((e) => e.vehicleId)).size, 5);
  assert.equal(r.total, BUDGET);
  for (const e of paid) assert.ok(verifyProof(r.root!, { week: 4, vehicleId: BigInt(e.vehicleId), beneficiary: e.beneficiary, amount: e.amount }, r.tree!.proof({ week: 4, vehicleId: BigInt(e.vehicleId), beneficiary: e.beneficiary, amount: e.amount })));
});

test('property: any population sums to the budget exactly, and the root ignores input order', () => {
  let seed = 99;
  const rnd = (n: number) => {
    seed = (seed * 48271) % 2147483647;
    return seed % n;
  };
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + rnd(300);
    const vehicles = Array.from({ length: n }, (_, i) => vehicle(i + 1, {
      vinHash: rnd(10) === 0 ? vin(1 + rnd(5)) : vin(10_000 + i),
      connected: rnd(6) !== 0,
      kinds: [['software'], ['aftermarket'], ['aftermarket', 'software']][rnd(3)] as VehicleWeekInput['kinds'],
      locationOptOut: rnd(4) === 0,
      unions: ['battery-health', 'charging', 'driving-patterns'].filter(() => rnd(3) === 0),
      prior: { level: 1 + rnd(4), weeks: [0, 4, 21, 36][rnd(4)]! + rnd(3), missed: rnd(3) },
    }));
    for (const v of vehicles) if (!v.connected) v.kinds = [];
    const budget = BigInt(1 + rnd(1_000_000)) * E18 + BigInt(rnd(1_000_000));
    const a = computeWeek(week(vehicles), budget);
    const shuffled = [...vehicles].sort(() => (rnd(2) ? 1 : -1));
    const b = computeWeek(week(shuffled), budget);
    assert.equal(a.root, b.root, `trial ${trial}`);
    assert.equal(inputsHash(normalizeInputs(week(vehicles))), inputsHash(normalizeInputs(week(shuffled))));
    if (a.totalPoints > 0n) assert.equal(a.total, budget, `trial ${trial}: sums to the budget`);
    const perVin = new Map<string, number>();
    for (const e of a.entries) {
      const v = vehicles.find((x) => x.vehicleId === e.vehicleId)!;
      if (e.amount > 0n && v.vinHash) perVin.set(v.vinHash, (perVin.get(v.vinHash) ?? 0) + 1);
    }
    assert.ok([...perVin.values()].every((c) => c === 1), `trial ${trial}: one reward per VIN`);
  }
});

test('inputs are validated', () => {
  assert.throws(() => computeWeek(week([vehicle(1), vehicle(1)]), BUDGET), /twice/);
  assert.throws(() => computeWeek(week([vehicle(1, { owner: '0xABC' })]), BUDGET), /owner/);
  assert.throws(() => computeWeek(week([vehicle(1, { kinds: ['teleport' as 'software'] })]), BUDGET), /kind/);
  const none = computeWeek(week([vehicle(1, { connected: false, kinds: [] })]), BUDGET);
  assert.equal(none.root, null);
  assert.equal(none.total, 0n);
});
