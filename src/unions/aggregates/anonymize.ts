// The k-anonymity gate every aggregate release goes through. Contributions (one vehicle's part of one
// group) are grouped; a group is released only if it covers at least k distinct vehicles — counted by
// VIN, so one car minted twice counts once — and at least k distinct owners (a fleet owner's 30 cars are
// one person). Every other group is SUPPRESSED: it is neither listed nor counted in any total, so
// totals are sums over released groups only and no total minus released groups can reveal a suppressed
// one. With noise, each released value gets Laplace noise and a released vehicle count is never shown
// below k (a public bound, so clamping reveals nothing).
import { noisyCount, type NoiseSpec } from './laplace-noise.ts';

export type GroupKey = Record<string, string | number>;

export interface Contribution {
  /** Canonical group key text (the same key always gives the same text). */
  group: string;
  key: GroupKey;
  /** Distinct-vehicle identity: the VIN hash when known, else the token id. */
  vehicle: string;
  /** Decimal token id (whose owner's activity log records the release). */
  vehicleId: string;
  owner: string;
  /** Additive measures this contribution adds to the group (e.g. sessions: 1). */
  measures: Record<string, number>;
}

export interface MeasureSpec {
  name: string;
  /** Most one vehicle can add to this measure across one release period (bounded by the dataset). */
  sensitivity: number;
}

export interface AnonymizeOptions {
  k: number;
  measures: readonly MeasureSpec[];
  /** Most groups one vehicle can be counted in, per release period (the vehicles count's sensitivity). */
  vehicleSensitivity: number;
  noise?: NoiseSpec | undefined;
  /** Prefix of noise labels (dataset and period), so one group key in two datasets draws apart. */
  label: string;
}

export interface ReleasedGroup {
  key: GroupKey;
  vehicles: number;
  [measure: string]: number | GroupKey;
}

export interface SuppressedGroup {
  key: GroupKey;
  vehicles: number;
  owners: number;
}

export interface AnonymizedRelease {
  groups: ReleasedGroup[];
  /** Sums over released groups only. */
  totals: Record<string, number>;
  suppressed: SuppressedGroup[];
  /** Token ids of vehicles in released groups, with how many released groups each is in. */
  contributors: Map<string, number>;
}

interface Acc {
  key: GroupKey;
  vehicles: Set<string>;
  owners: Set<string>;
  vehicleIds: Set<string>;
  sums: Record<string, number>;
}

export function anonymize(contributions: readonly Contribution[], o: AnonymizeOptions): AnonymizedRelease {
  if (!Number.isInteger(o.k) || o.k <= 10) throw new RangeError('k must be an integer above 10');
  const groups = new Map<string, Acc>();
  for (const c of contributions) {
    let g = groups.get(c.group);
    if (!g) groups.set(c.group, (g = { key: c.key, vehicles: new Set(), owners: new Set(), vehicleIds: new Set(), sums: {} }));
    g.vehicles.add(c.vehicle);
    g.owners.add(c.owner);
    g.vehicleIds.add(c.vehicleId);
    for (const m of o.measures) g.sums[m.name] = (g.sums[m.name] ?? 0) + (c.measures[m.name] ?? 0);
  }
  const released: ReleasedGroup[] = [];
  const suppressed: SuppressedGroup[] = [];
  const contributors = new Map<string, number>();
  const totals: Record<string, number> = { groups: 0, vehicles: 0 };
  for (const m of o.measures) totals[m.name] = 0;
  const measureCount = o.measures.length + 1;
  for (const name of [...groups.keys()].sort()) {
    const g = groups.get(name)!;
    if (g.vehicles.size < o.k || g.owners.size < o.k) {
      suppressed.push({ key: g.key, vehicles: g.vehicles.size, owners: g.owners.size });
      continue;
    }
    const label = `${o.label}|${name}`;
    const vehicles = o.noise ? Math.max(o.k, noisyCount(o.noise, `${label}|vehicles`, g.vehicles.size, o.vehicleSensitivity, measureCount)) : g.vehicles.size;
    const out: ReleasedGroup = { key: g.key, vehicles };
    for (const m of o.measures) {
      const v = g.sums[m.name] ?? 0;
      out[m.name] = o.noise ? noisyCount(o.noise, `${label}|${m.name}`, v, m.sensitivity, measureCount) : v;
    }
    released.push(out);
    totals.groups! += 1;
    totals.vehicles! += vehicles;
    for (const m of o.measures) totals[m.name]! += out[m.name] as number;
    for (const id of g.vehicleIds) contributors.set(id, (contributors.get(id) ?? 0) + 1);
  }
  return { groups: released, totals, suppressed, contributors };
}
