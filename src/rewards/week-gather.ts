// Gathers one week's inputs from what the node stores, without decrypting telemetry where it can:
//   connected      an hour chunk of the vehicle's data starts inside the week (vault_chunks' plain
//                  vehicle_id and chunk_start; data still in the append log is not counted, so compute
//                  a week after it ended — the compactor runs every 30 s)
//   kinds          the devices paired to the vehicle (identity mirror); when that is ambiguous (both or
//                  neither kind paired now) the week's archived events are decrypted and their producers
//                  tell which devices actually delivered
//   prior streak   the stored streaks after the previous week, or else the streak replayed over every
//                  earlier week's connectivity
//   owner, VIN hash, location opt-out, unions: the identity mirror, privacy settings and memberships at
//                  the vehicle's current owner epoch.
import { sql } from 'kysely';
import type { Store } from '../store/store.ts';
import type { UnionMemberships } from '../unions/union-memberships.ts';
import type { ChunkSegment } from '../vault/vault-reader.ts';
import { WEEK_MS, type ConnectionKind } from './reward-rules.ts';
import type { RewardsStore } from './rewards-store.ts';
import { INITIAL_STREAK, advanceStreak, type StreakState } from './streak.ts';
import type { VehicleWeekInput, WeekInputs } from './week-inputs.ts';

export interface GatherIdentity {
  /** Current owner (lowercase) and token version; undefined for a vehicle the mirror does not know. */
  vehicle(id: bigint): { owner: string; version: number } | undefined;
  /** Kinds of the devices paired to the vehicle now. */
  pairedKinds(id: bigint): ConnectionKind[];
}

export interface GatherDeps {
  store: Store;
  reader: { chunks(vehicleId: string, version: number, from?: number, to?: number): Promise<ChunkSegment[]> };
  identity: GatherIdentity;
  /** Lowercase addresses of the device contracts, to tell producers apart. */
  contracts: { syntheticDevice?: string | undefined; aftermarketDevice?: string | undefined };
  rewards: RewardsStore;
  unions: UnionMemberships;
  /** Issuance.start in epoch ms: week w starts at issuanceStartMs + w weeks. */
  issuanceStartMs: number;
  progress?: (done: number, total: number) => void;
}

const DAY_MS = 86_400_000;

export function weekBounds(issuanceStartMs: number, week: number): { weekStart: number; weekEnd: number } {
  const weekStart = issuanceStartMs + week * WEEK_MS;
  return { weekStart, weekEnd: weekStart + WEEK_MS };
}

export async function gatherWeek(d: GatherDeps, week: number): Promise<WeekInputs> {
  const { weekStart, weekEnd } = weekBounds(d.issuanceStartMs, week);
  const db = d.store.db;

  const connected = new Map<string, Set<number>>();
  const active = await db.selectFrom('vault_chunks').select(['vehicle_id', 'owner_version']).distinct()
    .where('chunk_start', '>=', weekStart).where('chunk_start', '<', weekEnd).execute();
  for (const r of active) {
    let versions = connected.get(r.vehicle_id);
    if (!versions) connected.set(r.vehicle_id, (versions = new Set()));
    versions.add(r.owner_version);
  }

  const prior = (week > 0 ? await d.rewards.streaksAfter(week - 1) : new Map<string, StreakState>()) ?? (await replayStreaks(d.store, d.issuanceStartMs, week));

  // Vehicles with nothing to win or lose (never connected, or back at the start) drop out.
  const ids = new Set(connected.keys());
  for (const [id, s] of prior) if (s.level > 1 || s.weeks > 0 || s.missed > 0) ids.add(id);

  const vinRows = await db.selectFrom('identity_vehicles').select(['token_id', 'vin_hash']).execute();
  const vins = new Map(vinRows.map((r) => [r.token_id, r.vin_hash]));
  const optOutRows = await db.selectFrom('privacy_settings').select(['vehicle_id', 'owner_version']).where('location_opt_out', '=', 1).execute();
  const optOut = new Set(optOutRows.map((r) => `${r.vehicle_id}:${r.owner_version}`));
  const unionsOf = new Map<string, string[]>();
  for (const m of await d.unions.all()) {
    const key = `${m.vehicleId}:${m.version}`;
    unionsOf.set(key, [...(unionsOf.get(key) ?? []), m.unionId]);
  }

  const sorted = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  const vehicles: VehicleWeekInput[] = [];
  let done = 0;
  for (const vehicleId of sorted) {
    d.progress?.(done++, sorted.length);
    const identity = d.identity.vehicle(BigInt(vehicleId));
    if (!identity) continue; // burned or unknown: nobody to pay
    const versions = connected.get(vehicleId);
    let kinds: ConnectionKind[] = [];
    if (versions) {
      kinds = d.identity.pairedKinds(BigInt(vehicleId));
      if (kinds.length !== 1) {
        const seen = await producerKinds(d, vehicleId, [...versions], weekStart, weekEnd);
        if (seen.length > 0) kinds = seen;
      }
    }
    const epoch = `${vehicleId}:${identity.version}`;
    vehicles.push({
      vehicleId,
      owner: identity.owner.toLowerCase(),
      vinHash: vins.get(vehicleId)?.toLowerCase() ?? null,
      connected: versions !== undefined,
      kinds: [...kinds].sort(),
      locationOptOut: optOut.has(epoch),
      unions: (unionsOf.get(epoch) ?? []).sort(),
      prior: prior.get(vehicleId) ?? INITIAL_STREAK,
    });
  }
  d.progress?.(sorted.length, sorted.length);
  return { week, weekStart, weekEnd, vehicles };
}

/** Streaks before `week`, replayed from each vehicle's first connected week (chunk starts only). */
async function replayStreaks(store: Store, startMs: number, week: number): Promise<Map<string, StreakState>> {
  const out = new Map<string, StreakState>();
  if (week <= 0) return out;
  const { weekStart } = weekBounds(startMs, week);
  const rows = await sql<{ vehicle_id: string; w: number | string }>`
    select distinct vehicle_id, cast((chunk_start - ${startMs}) / ${WEEK_MS} as bigint) as w
    from vault_chunks where chunk_start >= ${startMs} and chunk_start < ${weekStart}`.execute(store.db);
  const weeks = new Map<string, Set<number>>();
  for (const r of rows.rows) {
    let set = weeks.get(r.vehicle_id);
    if (!set) weeks.set(r.vehicle_id, (set = new Set()));
    set.add(Number(r.w));
  }
  for (const [id, set] of weeks) {
    let state = INITIAL_STREAK;
    for (let w = Math.min(...set); w < week; w++) state = advanceStreak(state, set.has(w));
    out.set(id, state);
  }
  return out;
}

/** Kinds of the devices whose events the vault archived for the vehicle in the week (day by day, stopping once both are seen). */
async function producerKinds(d: GatherDeps, vehicleId: string, versions: number[], from: number, to: number): Promise<ConnectionKind[]> {
  const kinds = new Set<ConnectionKind>();
  const synthetic = d.contracts.syntheticDevice?.toLowerCase();
  const aftermarket = d.contracts.aftermarketDevice?.toLowerCase();
  for (const version of versions.sort((a, b) => a - b)) {
    for (let day = from; day < to && kinds.size < 2; day += DAY_MS) {
      for (const chunk of await d.reader.chunks(vehicleId, version, day, Math.min(day + DAY_MS, to) - 1)) {
        for (const e of chunk.events) {
          const contract = e.producer.split(':')[3]?.toLowerCase();
          if (contract && contract === synthetic) kinds.add('software');
          else if (contract && contract === aftermarket) kinds.add('aftermarket');
        }
      }
    }
  }
  return [...kinds].sort();
}
