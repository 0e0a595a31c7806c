// What owners and the public read about computed weeks: an owner's earnings with the reasons and, once a
// week's root is posted, everything needed to claim (RewardsPayout.claim arguments and the proof). The
// proof comes from the week's stored entries; trees are rebuilt on demand and cached per root.
import { formatUnits } from 'viem';
import { leafOf, type RewardReason } from './compute-week.ts';
import {
  CONNECTION_POINTS, LOCATION_OPT_OUT_REDUCTION_PCT, MISSED_WEEKS_PER_DROP, RULES_VERSION, STREAK_LEVELS, UNION_BONUS_POINTS,
} from './reward-rules.ts';
import type { RewardsStore, StoredEntry, StoredWeek } from './rewards-store.ts';
import { RewardsTree } from './rewards-tree.ts';

export interface ClaimArgs {
  contract: 'RewardsPayout';
  week: number;
  vehicleId: string;
  beneficiary: string;
  amount: string;
  proof: string[];
}

const pts = (n: number) => `${n > 0 ? '+' : ''}${n.toLocaleString('en-US')} points`;

export function describeReason(r: RewardReason): string {
  switch (r.code) {
    case 'connection': return `${r.kind === 'aftermarket' ? 'aftermarket device' : 'software integration'} delivered data: ${pts(r.points)}`;
    case 'streak': return `streak level ${r.level} (${r.weeks} week${r.weeks === 1 ? '' : 's'}): ${pts(r.points)}`;
    case 'location_opt_out': return `location sharing off (${r.percent} %): ${pts(r.points)}`;
    case 'union': return `member of the ${r.union} data union: ${pts(r.points)}`;
    case 'not_connected': return `no data this week (${r.missedWeeks} in a row; every ${MISSED_WEEKS_PER_DROP} drop a streak level)`;
    case 'level_dropped': return `streak level dropped from ${r.from} to ${r.to}`;
    case 'duplicate_vin': return `another vehicle with the same VIN (${r.earnedBy}) earned this week: ${pts(r.points)}`;
  }
}

export const RULES_SUMMARY = {
  version: RULES_VERSION,
  connectionPoints: CONNECTION_POINTS,
  streakLevels: STREAK_LEVELS,
  missedWeeksPerLevelDrop: MISSED_WEEKS_PER_DROP,
  locationOptOutReductionPercent: LOCATION_OPT_OUT_REDUCTION_PCT,
  unionBonusPoints: UNION_BONUS_POINTS,
  oneRewardPerVin: true,
  rounding: 'each share is floor(budget × points / total points); the remaining wei go one each to the largest remainders, ties to the lower token id, so shares sum to the budget exactly',
};

export function weekView(w: StoredWeek) {
  return {
    week: w.week, weekStart: w.weekStart, weekEnd: w.weekEnd, rulesVersion: w.rulesVersion, inputsHash: w.inputsHash,
    budget: w.budget.toString(), total: w.total.toString(), totalPoints: w.totalPoints.toString(), vehicles: w.vehicles,
    paidVehicles: w.paidVehicles, root: w.root, computedAt: w.computedAt, posted: w.postedTx !== null, postedTx: w.postedTx, postedAt: w.postedAt,
  };
}

export class RewardsView {
  readonly #rewards: RewardsStore;
  readonly #trees = new Map<number, { root: string; tree: RewardsTree }>();

  constructor(rewards: RewardsStore) {
    this.#rewards = rewards;
  }

  async #tree(week: StoredWeek): Promise<RewardsTree | undefined> {
    if (!week.root) return undefined;
    const hit = this.#trees.get(week.week);
    if (hit && hit.root === week.root) return hit.tree;
    const leaves = (await this.#rewards.entries(week.week)).filter((e) => e.amount > 0n).map((e) => leafOf(week.week, e));
    const tree = new RewardsTree(leaves);
    this.#trees.set(week.week, { root: week.root, tree });
    return tree;
  }

  async claimArgs(week: StoredWeek, entry: StoredEntry): Promise<ClaimArgs | undefined> {
    if (entry.amount === 0n) return undefined;
    const tree = await this.#tree(week);
    if (!tree) return undefined;
    return { contract: 'RewardsPayout', week: week.week, vehicleId: entry.vehicleId, beneficiary: entry.beneficiary, amount: entry.amount.toString(), proof: tree.proof(leafOf(week.week, entry)) };
  }

  entryView(entry: StoredEntry) {
    return {
      vehicleId: entry.vehicleId, beneficiary: entry.beneficiary, points: entry.points, amount: entry.amount.toString(),
      amountDimo: formatUnits(entry.amount, 18), streak: entry.streak, reasons: entry.reasons.map((r) => ({ ...r, text: describeReason(r) })),
    };
  }

  /** Everything an owner earned, newest week first, with claim arguments for posted weeks. */
  async ownerRewards(owner: string) {
    const entries = await this.#rewards.entriesOf(owner);
    const weeks = new Map<number, StoredWeek | undefined>();
    const out = [];
    let earned = 0n;
    for (const e of entries) {
      if (!weeks.has(e.week)) weeks.set(e.week, await this.#rewards.week(e.week));
      const w = weeks.get(e.week);
      if (!w) continue;
      earned += e.amount;
      const posted = w.postedTx !== null;
      out.push({
        week: w.week, weekStart: w.weekStart, weekEnd: w.weekEnd, totalPoints: w.totalPoints.toString(), budget: w.budget.toString(), root: w.root, posted,
        ...this.entryView(e),
        ...(posted ? { claim: await this.claimArgs(w, e) } : {}),
      });
    }
    return { owner: owner.toLowerCase(), earned: earned.toString(), earnedDimo: formatUnits(earned, 18), entries: out, rules: RULES_SUMMARY };
  }
}
