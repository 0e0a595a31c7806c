import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectivityOf, newInteraction } from './connectivity.ts';
import { Fleet } from './fleet.ts';
import { distanceM } from './geo.ts';
import { placeCoords } from './routing.ts';
import { FleetSimulator } from './simulator.ts';

const EPOCH = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

test('a simulated day is physically consistent for every vehicle', () => {
  const fleet = new Fleet('sim-day', { tesla: 6, smartcar: 6 });
  const sim = new FleetSimulator(fleet, EPOCH);
  const step = 2_000;
  let drove = 0;
  let charged = 0;
  for (const v of fleet.vehicles) {
    let prev = sim.snapshot(v, EPOCH);
    const startOdo = prev.odometerKm;
    let integral = 0;
    for (let t = EPOCH + step; t <= EPOCH + 24 * HOUR; t += step) {
      const s = sim.snapshot(v, t);
      assert.ok(s.odometerKm >= prev.odometerKm - 1e-9, `${v.key}: odometer never goes back (${new Date(t).toISOString()})`);
      assert.ok(s.energyPct >= 0 && s.energyPct <= 100, `${v.key}: energy ${s.energyPct}% within 0–100`);
      const moved = distanceM([prev.latitude, prev.longitude], [s.latitude, s.longitude]);
      const driven = (s.odometerKm - prev.odometerKm) * 1000;
      assert.ok(moved <= driven + 0.5, `${v.key}: moved ${moved.toFixed(1)} m but drove ${driven.toFixed(1)} m`);
      if (s.activity === 'parked' || s.activity === 'charging') {
        const [lat, lng] = placeCoords(v.city, s.place!);
        assert.deepEqual([s.latitude, s.longitude], [lat, lng], `${v.key}: parked at its place`);
        assert.equal(s.speedKph, 0);
      }
      if (s.activity === 'driving' && prev.activity === 'driving') assert.ok(s.energy <= prev.energy + 1e-9, `${v.key}: driving never adds energy`);
      if (s.activity === 'charging' && prev.activity === 'charging') assert.ok(s.energy >= prev.energy - 1e-9, `${v.key}: charging never removes energy`);
      if (s.activity === 'charging') charged++;
      integral += ((prev.speedKph + s.speedKph) / 2 / 3.6) * (step / 1000);
      prev = s;
    }
    const odometerM = (prev.odometerKm - startOdo) * 1000;
    if (odometerM > 0) drove++;
    assert.ok(Math.abs(odometerM - integral) <= Math.max(20, odometerM * 0.005), `${v.key}: odometer ${odometerM.toFixed(0)} m vs ∫speed ${integral.toFixed(0)} m`);
  }
  assert.ok(drove >= fleet.vehicles.length / 2, `most vehicles drive on a Monday (${drove}/${fleet.vehicles.length})`);
  assert.ok(charged > 0, 'some BEV charges');
});

test('parked cars fall asleep after 15 minutes; driving and charging cars are online', () => {
  const fleet = new Fleet('sim-sleep', { tesla: 8, smartcar: 0 });
  const sim = new FleetSimulator(fleet, EPOCH);
  const it = newInteraction();
  const seen = { online: 0, asleep: 0, offline: 0 };
  for (const v of fleet.vehicles) {
    for (let t = EPOCH; t <= EPOCH + 24 * HOUR; t += 60_000) {
      const s = sim.snapshot(v, t);
      const c = connectivityOf(v, s, it, t, 15 * 60_000);
      seen[c]++;
      if (s.activity !== 'parked') assert.equal(c, 'online');
      else if (c !== 'offline') assert.equal(c, t - s.idleSince! >= 15 * 60_000 ? 'asleep' : 'online');
    }
  }
  assert.ok(seen.asleep > seen.online, 'cars sleep most of the day');
});

test('a week: batteries and tanks never run dry (drivers charge and refuel)', () => {
  const fleet = new Fleet('sim-week', { tesla: 8, smartcar: 8 });
  const sim = new FleetSimulator(fleet, EPOCH);
  let stops = 0;
  for (const v of fleet.vehicles) {
    let min = 100;
    let prevOdo = 0;
    for (let t = EPOCH; t <= EPOCH + 7 * 24 * HOUR; t += 5 * 60_000) {
      const s = sim.snapshot(v, t);
      min = Math.min(min, s.energyPct);
      assert.ok(s.odometerKm >= prevOdo);
      prevOdo = s.odometerKm;
      if (s.chargeKind === 'dc' || s.chargeKind === 'fuel') stops++;
    }
    assert.ok(min > 3, `${v.key} (${v.model}) kept above 3 % (min ${min.toFixed(1)} %)`);
  }
  assert.ok(stops > 0, 'somebody used a fast charger or a fuel station');
});

test('deterministic: same seed, same fleet and readings, in any reading order', () => {
  const a = new Fleet('same', { tesla: 5, smartcar: 5 });
  const b = new Fleet('same', { tesla: 5, smartcar: 5 });
  assert.deepEqual(a.vehicles.map((v) => [v.key, v.vin, v.oemId, v.model, v.year, v.home]), b.vehicles.map((v) => [v.key, v.vin, v.oemId, v.model, v.year, v.home]));
  assert.deepEqual(a.accounts, b.accounts);
  const simA = new FleetSimulator(a, EPOCH);
  const simB = new FleetSimulator(b, EPOCH);
  const times = Array.from({ length: 40 }, (_, i) => EPOCH + i * 1.9 * HOUR + 123_456);
  for (const v of a.vehicles) {
    const forward = times.map((t) => simA.snapshot(v, t));
    const backward = [...times].reverse().map((t) => simB.snapshot(b.vehicle(v.key)!, t)).reverse();
    assert.deepEqual(backward, forward, `${v.key}: same readings read backwards (timeline rebuilt)`);
  }
  const bigger = new Fleet('same', { tesla: 9, smartcar: 5 });
  assert.deepEqual(bigger.vehicles.filter((v) => v.oem === 'tesla').slice(0, 3).map((v) => v.vin), a.vehicles.filter((v) => v.oem === 'tesla').slice(0, 3).map((v) => v.vin), 'more accounts do not change existing ones');
  const other = new Fleet('different', { tesla: 5, smartcar: 5 });
  assert.notDeepEqual(other.vehicles.map((v) => v.vin), a.vehicles.map((v) => v.vin));
});

test('10,000+ vehicles are cheap to read', () => {
  const fleet = new Fleet('scale', { tesla: 3100, smartcar: 3100 });
  assert.ok(fleet.vehicles.length >= 10_000, `${fleet.vehicles.length} vehicles`);
  const sim = new FleetSimulator(fleet, EPOCH);
  const t0 = performance.now();
  for (const v of fleet.vehicles) sim.snapshot(v, EPOCH + 9 * HOUR);
  const first = performance.now() - t0;
  const t1 = performance.now();
  for (const v of fleet.vehicles) sim.snapshot(v, EPOCH + 9 * HOUR + 60_000);
  const next = performance.now() - t1;
  assert.ok(next < 2000, `a minute's poll of ${fleet.vehicles.length} vehicles took ${next.toFixed(0)} ms (first read ${first.toFixed(0)} ms)`);
});
