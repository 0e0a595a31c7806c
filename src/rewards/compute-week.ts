// One week's rewards from its frozen inputs and budget: a pure function, so the same inputs always give
// the same entries, amounts and Merkle root. The rules are in reward-rules.ts, the rounding in
// allocation.ts.
import { allocate } from './allocation.ts';
import {
  CONNECTION_POINTS, LOCATION_OPT_OUT_REDUCTION_PCT, UNION_BONUS_POINTS, ZERO_VIN_HASH, type ConnectionKind,
} from './reward-rules.ts';
import { RewardsTree, type RewardLeaf } from './rewards-tree.ts';
import { advanceStreak, levelOf, type StreakState } from './streak.ts';
import { normalizeInputs, type WeekInputs } from './week-inputs.ts';

export type RewardReason =
  | { code: 'connection'; kind: ConnectionKind; points: number }
  | { code: 'streak'; level: number; weeks: number; points: number }
  | { code: 'location_opt_out'; percent: number; points: number }
  | { code: 'union'; union: string; points: number }
  | { code: 'not_connected'; missedWeeks: number }
  | { code: 'level_dropped'; from: number; to: number }
  | { code: 'duplicate_vin'; earnedBy: string; points: number };

export interface RewardEntry {
  vehicleId: string;
  beneficiary: string;
  /** Points that count towards the share (0 for a missed week or a duplicate VIN). */
  points: number;
  /** Wei. */
  amount: bigint;
  /** Streak after the week. */
  streak: StreakState;
  reasons: RewardReason[];
}

export interface WeekResult {
  week: number;
  budget: bigint;
  totalPoints: bigint;
  /** Σ amounts: the budget exactly when anyone earned, else 0. */
  total: bigint;
  entries: RewardEntry[];
  root: `0x${string}` | null;
  tree: RewardsTree | undefined;
}

export function computeWeek(raw: WeekInputs, budget: bigint): WeekResult {
  const inputs = normalizeInputs(raw);
  const entries: RewardEntry[] = inputs.vehicles.map((v) => {
    const streak = advanceStreak(v.prior, v.connected);
    const reasons: RewardReason[] = [];
    if (streak.level < v.prior.level) reasons.push({ code: 'level_dropped', from: v.prior.level, to: streak.level });
    if (!v.connected) {
      reasons.push({ code: 'not_connected', missedWeeks: v.prior.missed + 1 });
      return { vehicleId: v.vehicleId, beneficiary: v.owner, points: 0, amount: 0n, streak, reasons };
    }
    let base = 0;
    for (const kind of v.kinds) {
      reasons.push({ code: 'connection', kind, points: CONNECTION_POINTS[kind] });
      base += CONNECTION_POINTS[kind];
    }
    const levelPoints = levelOf(streak.level).points;
    reasons.push({ code: 'streak', level: streak.level, weeks: streak.weeks, points: levelPoints });
    base += levelPoints;
    if (v.locationOptOut) {
      const cut = Math.floor((base * LOCATION_OPT_OUT_REDUCTION_PCT) / 100);
      reasons.push({ code: 'location_opt_out', percent: -LOCATION_OPT_OUT_REDUCTION_PCT, points: -cut });
      base -= cut;
    }
    for (const union of v.unions) {
      reasons.push({ code: 'union', union, points: UNION_BONUS_POINTS });
      base += UNION_BONUS_POINTS;
    }
    return { vehicleId: v.vehicleId, beneficiary: v.owner, points: base, amount: 0n, streak, reasons };
  });

  // One reward per VIN: the vehicle with the most points earns, ties to the lowest token id (entries
  // are in token id order, so the first best one wins).
  const byVin = new Map<string, number>();
  inputs.vehicles.forEach((v, i) => {
    if (!v.connected || !v.vinHash || v.vinHash === ZERO_VIN_HASH) return;
    const best = byVin.get(v.vinHash);
    if (best === undefined || entries[i]!.points > entries[best]!.points) byVin.set(v.vinHash, i);
  });
  inputs.vehicles.forEach((v, i) => {
    if (!v.connected || !v.vinHash || v.vinHash === ZERO_VIN_HASH) return;
    const winner = byVin.get(v.vinHash)!;
    if (winner === i) return;
    const e = entries[i]!;
    e.reasons.push({ code: 'duplicate_vin', earnedBy: entries[winner]!.vehicleId, points: -e.points });
    e.points = 0;
  });

  const shares = allocate(budget, entries.map((e) => ({ id: BigInt(e.vehicleId), points: BigInt(e.points) })));
  let total = 0n;
  let totalPoints = 0n;
  const leaves: RewardLeaf[] = [];
  entries.forEach((e, i) => {
    e.amount = shares[i]!;
    total += e.amount;
    totalPoints += BigInt(e.points);
    if (e.amount > 0n) leaves.push({ week: inputs.week, vehicleId: BigInt(e.vehicleId), beneficiary: e.beneficiary, amount: e.amount });
  });
  const tree = leaves.length > 0 ? new RewardsTree(leaves) : undefined;
  return { week: inputs.week, budget, totalPoints, total, entries, root: tree?.root ?? null, tree };
}

/** The leaf of an entry, for proofs. */
export function leafOf(week: number, entry: { vehicleId: string; beneficiary: string; amount: bigint }): RewardLeaf {
  return { week, vehicleId: BigInt(entry.vehicleId), beneficiary: entry.beneficiary, amount: entry.amount };
}
