// `npm run bench -- rewards [vehicles=100000] [--json]`: one weekly rewards computation over a simulated
// network, on one core.
// - vehicles_per_s: the whole week as `opendimo rewards compute` runs it, minus the chain: gather from a
//   SQLite store (vault_chunks rows for the week and three earlier weeks, identity VIN hashes, privacy,
//   union memberships; streaks replayed from history), freeze the inputs, compute points, streaks, one
//   reward per VIN, the exact pro-rata split and the Merkle tree, and store inputs and entries.
// - compute_vehicles_per_s: the pure computation alone (inputs → amounts and root).
// - Limits measured in the same run: keccak256 of 128-byte leaves per second (the tree needs about
//   three hashes per paid vehicle) and a plain loop over the same inputs (summing points), the ceiling
//   for any per-vehicle work in JavaScript.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reporter } from './report.ts';
import { ManualClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createKeccak } from '../src/ingest/verify/keccak-wasm.ts';
import { computeWeek } from '../src/rewards/compute-week.ts';
import { CONNECTION_POINTS, WEEK_MS, type ConnectionKind } from '../src/rewards/reward-rules.ts';
import { RewardsEngine } from '../src/rewards/rewards-engine.ts';
import { RewardsStore } from '../src/rewards/rewards-store.ts';
import { gatherWeek } from '../src/rewards/week-gather.ts';
import type { VehicleWeekInput, WeekInputs } from '../src/rewards/week-inputs.ts';
import { openStore } from '../src/store/open-store.ts';
import { UnionMemberships } from '../src/unions/union-memberships.ts';

const E18 = 10n ** 18n;
const BUDGET = 773_500n * E18;
const START = Date.UTC(2026, 0, 5);
const WEEK = 4;

function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
}

const owner = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const vin = (i: number) => `0x${i.toString(16).padStart(64, '0')}`;

function simulatedInputs(n: number): WeekInputs {
  const r = rng(7);
  const vehicles: VehicleWeekInput[] = [];
  for (let i = 1; i <= n; i++) {
    const connected = r(10) !== 0;
    vehicles.push({
      vehicleId: String(i),
      owner: owner(1 + r(Math.floor(n * 0.8))),
      vinHash: r(50) === 0 ? vin(1 + r(n)) : vin(i),
      connected,
      kinds: connected ? ([['software'], ['aftermarket'], ['aftermarket', 'software']][r(3)] as ConnectionKind[]) : [],
      locationOptOut: r(5) === 0,
      unions: ['battery-health', 'charging', 'driving-patterns'].filter(() => r(3) === 0),
      prior: { level: 1 + r(4), weeks: [0, 4, 21, 36][r(4)]! + r(4), missed: r(3) },
    });
  }
  return { week: WEEK, weekStart: START + WEEK * WEEK_MS, weekEnd: START + (WEEK + 1) * WEEK_MS, vehicles };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const n = Number(args[0] ?? 100_000);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error('vehicles must be a positive integer');

  // --- the pure computation ---
  const inputs = simulatedInputs(n);
  computeWeek(simulatedInputs(2_000), BUDGET); // warm-up
  const times: number[] = [];
  let paid = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const result = computeWeek(inputs, BUDGET);
    times.push(performance.now() - t0);
    paid = result.entries.filter((e) => e.amount > 0n).length;
    if (result.total !== BUDGET) throw new Error('rewards do not sum to the budget');
  }
  reporter.progress(`computed ${n} vehicles (${paid} paid) three times`);

  // --- the whole week from a SQLite store ---
  const dir = await mkdtemp(join(tmpdir(), 'opendimo-bench-rewards-'));
  let endToEnd = 0;
  try {
    const logger = silentLogger();
    const store = await openStore({ dataDir: dir, logger });
    reporter.progress(`seeding ${n} vehicles: vault chunk rows for weeks ${WEEK - 3}–${WEEK}, identity, privacy, unions`);
    const raw = store.sqlite!;
    const chunk = raw.prepare('insert into vault_chunks (seg_id, vehicle_id, owner_version, chunk_start, n_events, n_samples, samples, rollups, events) values (?, ?, 1, ?, 1, 1, ?, ?, ?)');
    const vehicle = raw.prepare("insert into identity_vehicles (token_id, owner, version, make, model, year, vin_hash, minted_at, minted_block) values (?, ?, 1, 'Make', 'Model', 2022, ?, 0, 0)");
    const privacy = raw.prepare('insert into privacy_settings (vehicle_id, owner_version, location_opt_out, zones, updated_at) values (?, 1, 1, null, 0)');
    const member = raw.prepare('insert into union_memberships (vehicle_id, owner_version, union_id, owner, joined_at) values (?, 1, ?, ?, 0)');
    const blob = Buffer.alloc(28);
    const identity = new Map<bigint, { owner: string; version: number; kinds: ConnectionKind[] }>();
    raw.transaction(() => {
      for (const v of inputs.vehicles) {
        vehicle.run(v.vehicleId, v.owner, v.vinHash);
        identity.set(BigInt(v.vehicleId), { owner: v.owner, version: 1, kinds: v.kinds.length === 1 ? v.kinds : ['software'] });
        if (v.locationOptOut) privacy.run(v.vehicleId);
        for (const u of v.unions) member.run(v.vehicleId, u, v.owner);
        for (let w = WEEK - 3; w <= WEEK; w++) {
          if (w === WEEK && !v.connected) continue;
          chunk.run(`s${v.vehicleId}-${w}`, v.vehicleId, START + w * WEEK_MS + (Number(v.vehicleId) % 168) * 3_600_000, blob, blob, blob);
        }
      }
    })();
    const rewards = new RewardsStore(store);
    const clock = new ManualClock(START + 52 * WEEK_MS);
    const engine = new RewardsEngine({
      rewards, clock, logger,
      chain: {
        issuanceStartMs: async () => START,
        budget: async () => ({ budget: BUDGET, minted: [] }),
        weekRoot: async () => ({ root: '0x' + '0'.repeat(64), total: 0n, claimed: 0n }),
        post: async () => ({ tx: undefined, minted: [] }),
      },
      gather: (week, issuanceStartMs) => gatherWeek({
        store, identity: { vehicle: (id) => identity.get(id), pairedKinds: (id) => identity.get(id)?.kinds ?? [] },
        // Every vehicle has exactly one paired kind here, so nothing needs decrypting.
        reader: { chunks: async () => [] }, contracts: {}, rewards, unions: new UnionMemberships(store, clock), issuanceStartMs,
      }, week),
    });
    reporter.progress('computing the week from the store');
    const t0 = performance.now();
    const outcome = await engine.compute(WEEK, { regather: true });
    endToEnd = performance.now() - t0;
    if (outcome.vehicles !== n) throw new Error(`gathered ${outcome.vehicles} of ${n} vehicles`);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // --- limits, same run ---
  const keccak = createKeccak();
  const leaf = Buffer.alloc(128, 7);
  const out = Buffer.alloc(32);
  const hashes = 300_000;
  let t0 = performance.now();
  for (let i = 0; i < hashes; i++) {
    leaf.writeUInt32BE(i, 60);
    keccak.hashInto(leaf, out, 0);
  }
  const keccakPerS = hashes / ((performance.now() - t0) / 1000);
  const loopTimes: number[] = [];
  let sink = 0;
  for (let rep = 0; rep < 5; rep++) {
    t0 = performance.now();
    for (const v of inputs.vehicles) {
      let p = 0;
      for (const k of v.kinds) p += CONNECTION_POINTS[k];
      sink += v.locationOptOut ? p - (p >> 2) : p + v.unions.length * 250;
    }
    loopTimes.push(performance.now() - t0);
  }
  if (sink < 0) throw new Error('unreachable');

  reporter.figure({ metric: 'vehicles_per_s', value: Math.round(n / (endToEnd / 1000)), unit: 'vehicles/s', note: `gather from SQLite + compute + store, ${n} vehicles in ${(endToEnd / 1000).toFixed(2)} s` });
  reporter.figure({ metric: 'compute_vehicles_per_s', value: Math.round(n / (median(times) / 1000)), unit: 'vehicles/s', note: `points, streaks, VIN, exact split, Merkle tree; median of 3, ${paid} paid leaves` });
  reporter.figure({ metric: 'keccak_hashes_per_s', value: Math.round(keccakPerS), unit: 'hashes/s', note: 'limit: 128-byte leaves, WebAssembly keccak, one core' });
  reporter.figure({ metric: 'plain_loop_vehicles_per_s', value: Math.round(n / (median(loopTimes) / 1000)), unit: 'vehicles/s', note: 'limit: summing points over the same inputs' });
}
