// Computes a week: checks it is over, gets its rewards budget from the chain (minting the week if
// nobody has), freezes its inputs (gathering them from stored data the first time, or again with
// `regather`), computes entries, amounts and the Merkle root, stores them, and posts the root if asked.
// Running it again on the frozen inputs gives the same root — that is what `sameRoot` reports.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { computeWeek } from './compute-week.ts';
import type { RewardsChainApi } from './rewards-chain.ts';
import type { RewardsStore } from './rewards-store.ts';
import { weekBounds } from './week-gather.ts';
import { inputsHash, normalizeInputs, type WeekInputs } from './week-inputs.ts';

export type Progress = (done: number, total: number) => void;

export interface RewardsEngineOptions {
  rewards: RewardsStore;
  chain: RewardsChainApi;
  clock: Clock;
  logger: Logger;
  gather(week: number, issuanceStartMs: number, progress?: Progress): Promise<WeekInputs>;
}

export interface ComputeOptions {
  /** Gather the inputs from stored data again instead of reusing the frozen ones. */
  regather?: boolean;
  /** Post the root to RewardsPayout. */
  post?: boolean;
  progress?: Progress;
}

export interface ComputeOutcome {
  week: number;
  weekStart: number;
  weekEnd: number;
  root: string | null;
  budget: bigint;
  total: bigint;
  totalPoints: bigint;
  vehicles: number;
  paidVehicles: number;
  inputsHash: string;
  /** The inputs were the week's frozen ones (not gathered now). */
  reusedInputs: boolean;
  /** Root of the previous computation of this week, if any. */
  previousRoot: string | null | undefined;
  sameRoot: boolean | undefined;
  /** Issuance weeks minted on the way. */
  minted: string[];
  /** The postRoot transaction; undefined when not posting or the chain already held this root. */
  postedTx: string | undefined;
  posted: boolean;
}

export class RewardsEngine {
  readonly #o: RewardsEngineOptions;

  constructor(o: RewardsEngineOptions) {
    this.#o = o;
  }

  async compute(week: number, opts: ComputeOptions = {}): Promise<ComputeOutcome> {
    if (!Number.isSafeInteger(week) || week < 0) throw new OdmError('ODM_ERR_VALIDATION', 'week must be a whole number from 0');
    const { rewards, chain, clock, logger } = this.#o;
    const startMs = await chain.issuanceStartMs();
    const { weekStart, weekEnd } = weekBounds(startMs, week);
    if (clock.now() < weekEnd) {
      throw new OdmError('ODM_ERR_REWARDS_WEEK_OPEN', `week ${week} runs until ${new Date(weekEnd).toISOString()}; compute it once it is over`, { details: { week, weekEnd } });
    }
    const { budget, minted } = await chain.budget(week);
    const before = await rewards.week(week);
    const frozen = opts.regather ? undefined : await rewards.inputs(week);
    const inputs = normalizeInputs(frozen ?? (await this.#o.gather(week, startMs, opts.progress)));
    const hash = inputsHash(inputs);
    const result = computeWeek(inputs, budget);
    // A week with claims is final on chain: never replace what was paid from with something else.
    const onChain = await chain.weekRoot(week);
    if (onChain.claimed > 0n && onChain.root !== result.root) {
      throw new OdmError('ODM_ERR_REWARDS_ROOT_FINAL', `week ${week} already has claims under root ${onChain.root}; this computation (root ${result.root ?? 'none'}) is not kept`, {
        details: { week, root: onChain.root, computed: result.root, claimed: onChain.claimed.toString() },
      });
    }
    await rewards.save(inputs, hash, result, clock.now());
    let postedTx: string | undefined;
    let posted = before?.postedTx != null && before.root === result.root;
    if (opts.post && result.root) {
      const outcome = await chain.post(week, result.root, result.total);
      minted.push(...outcome.minted);
      postedTx = outcome.tx;
      posted = true;
      await rewards.markPosted(week, outcome.tx ?? before?.postedTx ?? 'on-chain', clock.now());
    }
    const paidVehicles = result.entries.filter((e) => e.amount > 0n).length;
    logger.info({ week, vehicles: result.entries.length, paidVehicles, root: result.root, posted }, 'rewards week computed');
    return {
      week, weekStart, weekEnd, root: result.root, budget, total: result.total, totalPoints: result.totalPoints,
      vehicles: result.entries.length, paidVehicles, inputsHash: hash, reusedInputs: frozen !== undefined,
      previousRoot: before?.root, sameRoot: before ? before.root === result.root : undefined, minted, postedTx, posted,
    };
  }
}
