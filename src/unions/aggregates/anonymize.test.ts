// k-anonymity for every dataset, property-based: a seeded generator builds many populations (fleets
// with several vehicles per owner, cars minted twice under one VIN, skewed so many groups sit near k),
// runs each dataset's real extraction and the release gate, and checks that no released group covers
// fewer than k distinct vehicles or owners, that suppressed groups appear nowhere (not in the groups,
// not in any total), and that noise keeps released counts at k or above and repeats itself exactly.
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { loadConfig } from '../../config/load-config.ts';
import type { LocationPointRecord } from '../../vault/vault-reader.ts';
import { UNIONS } from '../union-catalog.ts';
import { anonymize, type Contribution } from './anonymize.ts';
import { chargingDataset } from './charging-dataset.ts';
import { groupText, type Dataset, type MemberVehicle } from './dataset.ts';
import { DATASETS } from './datasets.ts';
import { sohDataset } from './soh-dataset.ts';
import { tripsDataset } from './trips-dataset.ts';

/** A small seeded generator (Park–Miller); no packages. */
function rng(seed: number) {
  let s = (seed * 2654435761) % 2147483647 || 1;
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
  for (let i = 0; i < 5; i++) next(); // small seeds start with small draws
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    /** Skewed pick: low indexes far more often, so some groups are large and many are small. */
    skewed: (n: number) => Math.min(n - 1, Math.floor(n * next() ** 3)),
  };
}

type R = ReturnType<typeof rng>;
const HOUR = 3_600_000;
const MONTH = { month: '2026-03', from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) };
const CENTERS = ['851f1d4bfffffff', '851f1d47fffffff', '851f1d5bfffffff', '85194ad3fffffff', '851f18b3fffffff'].map((c) => cellToLatLng(c));

interface Vehicle extends MemberVehicle {
  raw: unknown;
}

function population(r: R, dataset: Dataset<any, any>): Vehicle[] {
  const n = 20 + r.int(380);
  const owners = Math.max(1, Math.floor(n * (0.3 + r.next() * 0.7)));
  const vehicles: Vehicle[] = [];
  for (let i = 0; i < n; i++) {
    const model = ['Model 3', 'Model Y', 'Leaf', 'ID.3'][r.skewed(4)]!;
    const v: MemberVehicle = {
      vehicleId: String(i + 1),
      version: 1,
      owner: `0x${r.skewed(owners).toString(16).padStart(40, '0')}`,
      // One car in twenty is a duplicate mint of another vehicle's VIN.
      vinHash: r.int(20) === 0 && i > 0 ? `0x${r.int(i).toString(16).padStart(64, '0')}` : `0x${(i + 1).toString(16).padStart(64, '0')}`,
      make: 'Make', model, year: 2018 + r.skewed(6),
    };
    vehicles.push({ ...v, raw: rawFor(r, dataset) });
  }
  return vehicles;
}

function pointsNear(r: R, center: [number, number], times: number[], redactedShare = 0.1): LocationPointRecord[] {
  return times.map((ts) => ({ ts: ts + r.int(5) * 60_000 - 2 * 60_000, lat: center[0] + (r.next() - 0.5) * 0.05, lng: center[1] + (r.next() - 0.5) * 0.05, redacted: r.next() < redactedShare }));
}

function boolSeries(starts: number[], lengthMs: number, stepMs: number) {
  const ts: number[] = [];
  const v: number[] = [];
  for (const s of starts) {
    ts.push(s - stepMs * 4);
    v.push(0);
    for (let t = s; t < s + lengthMs; t += stepMs) {
      ts.push(t);
      v.push(1);
    }
    ts.push(s + lengthMs);
    v.push(0);
  }
  const order = ts.map((_, i) => i).sort((a, b) => ts[a]! - ts[b]!);
  return { ts: order.map((i) => ts[i]!), v: order.map((i) => v[i]!) };
}

function rawFor(r: R, dataset: Dataset<any, any>): unknown {
  if (dataset === sohDataset) return 60 + r.skewed(9) * 5 + r.next() * 5;
  const home = CENTERS[r.skewed(CENTERS.length)]!;
  if (dataset === chargingDataset) {
    const hour = [18, 19, 22, 7][r.skewed(4)]!;
    const starts = Array.from({ length: 1 + r.int(6) }, () => MONTH.from + r.int(28) * 86_400_000 + hour * HOUR + r.int(50) * 60_000);
    return { charging: boolSeries(starts, 2 * HOUR, 10 * 60_000), points: pointsNear(r, home, starts) };
  }
  const starts = Array.from({ length: 1 + r.int(12) }, () => Date.UTC(2026, 2, 1 + r.skewed(5)) + (6 + r.int(14)) * HOUR + r.int(59) * 60_000);
  return { ignition: boolSeries(starts, 20 * 60_000, 60_000), points: pointsNear(r, home, starts) };
}

const PARAMS: Record<string, Record<string, unknown>> = {
  'soh-by-model-year': { month: '2026-03' },
  'charging-sessions-by-cell-hour': { month: '2026-03' },
  'trips-by-region-day': { from: '2026-03-01', to: '2026-03-07' },
};

function contributionsOf(dataset: Dataset<any, any>, vehicles: Vehicle[], resolution: number): Contribution[] {
  const params = dataset.parse(PARAMS[dataset.id]!, Date.UTC(2026, 5, 1));
  const out: Contribution[] = [];
  for (const v of vehicles) {
    for (const part of dataset.extract(v.raw, v, params, { h3Resolution: resolution })) {
      out.push({ group: groupText(part.key), key: part.key, vehicle: `vin:${v.vinHash}`, vehicleId: v.vehicleId, owner: v.owner, measures: part.measures });
    }
  }
  return out;
}

for (const dataset of DATASETS) {
  describe(`k-anonymity of ${dataset.id}`, () => {
    it('never releases a group below k, and suppressed groups reach no total (200 populations)', () => {
      let released = 0;
      let suppressed = 0;
      for (let trial = 0; trial < 200; trial++) {
        const r = rng(1000 + trial * 7919 + dataset.id.length);
        const k = 11 + r.int(30);
        const resolution = dataset.usesLocation ? [3, 4, 5, 6][r.int(4)]! : 5;
        const contributions = contributionsOf(dataset, population(r, dataset), resolution);
        const release = anonymize(contributions, { k, measures: dataset.measures, vehicleSensitivity: dataset.vehicleSensitivity, label: dataset.id });
        const byGroup = new Map<string, Contribution[]>();
        for (const c of contributions) byGroup.set(c.group, [...(byGroup.get(c.group) ?? []), c]);
        const releasedKeys = new Set<string>();
        for (const g of release.groups) {
          const name = groupText(g.key);
          releasedKeys.add(name);
          const members = byGroup.get(name)!;
          const vins = new Set(members.map((c) => c.vehicle));
          const owners = new Set(members.map((c) => c.owner));
          assert.ok(vins.size >= k && owners.size >= k, `trial ${trial}: released group ${name} covers ${vins.size} vehicles / ${owners.size} owners < k=${k}`);
          assert.equal(g.vehicles, vins.size);
          for (const m of dataset.measures) assert.equal(g[m.name], members.reduce((s, c) => s + (c.measures[m.name] ?? 0), 0));
          if (dataset.usesLocation) {
            const cell = String(g.key.cell);
            assert.equal(latLngToCell(...cellToLatLng(cell), resolution), cell, 'a cell at the configured resolution');
            assert.ok(resolution <= 6);
          }
        }
        // Suppressed groups are below k and appear nowhere in the release.
        for (const s of release.suppressed) {
          assert.ok(s.vehicles < k || s.owners < k);
          assert.ok(!releasedKeys.has(groupText(s.key)));
        }
        assert.equal(release.groups.length + release.suppressed.length, byGroup.size);
        // Totals are sums over released groups only: nothing suppressed can be recovered by differencing.
        const onlyReleased = contributions.filter((c) => releasedKeys.has(c.group));
        assert.equal(release.totals.groups, release.groups.length);
        assert.equal(release.totals.vehicles, release.groups.reduce((s, g) => s + g.vehicles, 0));
        for (const m of dataset.measures) {
          assert.equal(release.totals[m.name], onlyReleased.reduce((s, c) => s + (c.measures[m.name] ?? 0), 0));
          assert.equal(release.totals[m.name], release.groups.reduce((s, g) => s + (g[m.name] as number), 0));
        }
        assert.deepEqual(Object.keys(release.totals).sort(), ['groups', 'vehicles', ...dataset.measures.map((m) => m.name)].sort(), 'no other figure (e.g. a population total) is released');
        const contributors = new Set(onlyReleased.map((c) => c.vehicleId));
        assert.deepEqual([...release.contributors.keys()].sort(), [...contributors].sort(), 'only vehicles in released groups are told they contributed');
        released += release.groups.length;
        suppressed += release.suppressed.length;
      }
      assert.ok(released > 20 && suppressed > 20, `the populations exercise both sides (released ${released}, suppressed ${suppressed})`);
    });

    it('with noise, released counts stay at k or above, never negative, and repeat exactly', () => {
      let seen = 0;
      for (let trial = 0; trial < 30; trial++) {
        const r = rng(77 + trial);
        const contributions = contributionsOf(dataset, population(r, dataset), 5);
        const opts = { k: 15, measures: dataset.measures, vehicleSensitivity: dataset.vehicleSensitivity, label: dataset.id, noise: { epsilon: 0.5, secret: Buffer.alloc(32, 7) } };
        const a = anonymize(contributions, opts);
        const b = anonymize([...contributions].reverse(), opts);
        assert.deepEqual(a.groups, b.groups, 'the same question of the same data gets the same noisy answer');
        for (const g of a.groups) {
          assert.ok(g.vehicles >= 15);
          for (const m of dataset.measures) assert.ok((g[m.name] as number) >= 0 && Number.isInteger(g[m.name]));
        }
        const plain = anonymize(contributions, { ...opts, noise: undefined });
        assert.deepEqual(a.groups.map((g) => groupText(g.key)), plain.groups.map((g) => groupText(g.key)), 'noise never decides what is released');
        seen += a.groups.length;
      }
      assert.ok(seen > 10, `noise was exercised on ${seen} groups`);
    });
  });
}

test('trip days are computed alike whatever the range, so ranges cannot be differenced', () => {
  const r = rng(5);
  let vehicles = population(r, tripsDataset);
  while (vehicles.length < 300) vehicles = population(r, tripsDataset);
  const release = (from: string, to: string) => {
    const params = tripsDataset.parse({ from, to }, Date.UTC(2026, 5, 1));
    const contributions: Contribution[] = [];
    for (const v of vehicles) for (const p of tripsDataset.extract(v.raw as never, v, params, { h3Resolution: 5 })) contributions.push({ group: groupText(p.key), key: p.key, vehicle: v.vehicleId, vehicleId: v.vehicleId, owner: v.owner, measures: p.measures });
    return anonymize(contributions, { k: 11, measures: tripsDataset.measures, vehicleSensitivity: 10, label: 'trips' }).groups;
  };
  const wide = release('2026-03-01', '2026-03-05');
  const narrow = release('2026-03-01', '2026-03-02');
  assert.ok(narrow.length > 0 && wide.length > narrow.length);
  for (const g of narrow) assert.deepEqual(wide.find((w) => groupText(w.key) === groupText(g.key)), g);
  const inNarrow = (g: { key: Record<string, unknown> }) => g.key.day === '2026-03-01' || g.key.day === '2026-03-02';
  assert.deepEqual(wide.filter(inNarrow), narrow);
});

test('k of 10 or less is refused, by the gate and by the configuration; locations never finer than resolution 6', () => {
  assert.throws(() => anonymize([], { k: 10, measures: [], vehicleSensitivity: 1, label: 'x' }), RangeError);
  assert.throws(() => loadConfig({ mode: 'dev', env: { OPENDIMO_AGGREGATES_K: '10' } }), (err: { code?: string; message: string }) => err.code === 'ODM_ERR_CONFIG_INVALID' && /OPENDIMO_AGGREGATES_K/.test(err.message));
  assert.throws(() => loadConfig({ mode: 'dev', env: { OPENDIMO_AGGREGATES_H3_RESOLUTION: '7' } }), { code: 'ODM_ERR_CONFIG_INVALID' });
  assert.equal(loadConfig({ mode: 'dev', env: { OPENDIMO_AGGREGATES_K: '11', OPENDIMO_AGGREGATES_EPSILON: '0.5' } }).aggregates?.k, 11);
});

test('the union catalogue describes exactly the datasets the node releases', () => {
  const described = UNIONS.flatMap((u) => u.datasets.map((d) => `${u.id}/${d.id}`)).sort();
  assert.deepEqual(DATASETS.map((d) => `${d.unionId}/${d.id}`).sort(), described);
  for (const d of DATASETS) assert.equal(UNIONS.find((u) => u.id === d.unionId)!.usesLocation, d.usesLocation);
});
