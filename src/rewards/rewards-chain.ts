// What rewards need from the protocol contracts: the issuance calendar, the week's rewards budget
// (minting the week first when nobody has yet — anyone may, once it has begun) and posting the root to
// RewardsPayout (the caller's key must hold REWARDS_POSTER_ROLE; on the embedded chain the deployer,
// anvil dev key 0, does). Works over any read/send pair, e.g. the CLI's ProtocolClient.
import { OdmError } from '../core/errors.ts';

export interface ContractCalls {
  read<T>(contract: string, functionName: string, args?: readonly unknown[]): Promise<T>;
  send(contract: string, functionName: string, args?: readonly unknown[]): Promise<{ hash: string }>;
}

const REWARDS_BUDGET = 0; // Issuance.Budget.Rewards
const WEEK_SEC = 7n * 86_400n;

export interface PostOutcome {
  /** The transaction, or undefined when the chain already held this root and total. */
  tx: string | undefined;
  minted: string[];
}

/** What the engine needs of the chain (RewardsChain, or a stand-in in tests). */
export interface RewardsChainApi {
  issuanceStartMs(): Promise<number>;
  budget(week: number): Promise<{ budget: bigint; minted: string[] }>;
  weekRoot(week: number): Promise<{ root: string; total: bigint; claimed: bigint }>;
  post(week: number, root: string, total: bigint): Promise<PostOutcome>;
}

export class RewardsChain implements RewardsChainApi {
  readonly #calls: ContractCalls;
  readonly #now: () => Promise<bigint>;

  /** `now` gives the chain's time in unix seconds (the latest block's timestamp). */
  constructor(calls: ContractCalls, now: () => Promise<bigint>) {
    this.#calls = calls;
    this.#now = now;
  }

  /** Issuance.start in epoch ms. */
  async issuanceStartMs(): Promise<number> {
    return Number(await this.#calls.read<bigint>('Issuance', 'start')) * 1000;
  }

  /** Mints every unminted week up to `week` (one call each), then answers its rewards budget. */
  async budget(week: number): Promise<{ budget: bigint; minted: string[] }> {
    const minted: string[] = [];
    for (;;) {
      if (await this.#calls.read<boolean>('Issuance', 'isMinted', [BigInt(week)])) break;
      const [next, start, now] = await Promise.all([
        this.#calls.read<bigint>('Issuance', 'nextWeek'),
        this.#calls.read<bigint>('Issuance', 'start'),
        this.#now(),
      ]);
      const startsAt = start + next * WEEK_SEC;
      if (now < startsAt) {
        throw new OdmError('ODM_ERR_REWARDS_WEEK_NOT_STARTED', `Issuance cannot mint week ${next} before ${new Date(Number(startsAt) * 1000).toISOString()} (chain time)`, {
          details: { week: Number(next), startsAt: Number(startsAt) * 1000 },
        });
      }
      minted.push((await this.#calls.send('Issuance', 'mintWeek')).hash);
    }
    const budget = await this.#calls.read<bigint>('Issuance', 'budgetOf', [BigInt(week), REWARDS_BUDGET]);
    return { budget, minted };
  }

  async weekRoot(week: number): Promise<{ root: string; total: bigint; claimed: bigint }> {
    const [root, total, claimed] = await this.#calls.read<readonly [string, bigint, bigint]>('RewardsPayout', 'weekRoot', [BigInt(week)]);
    return { root: root.toLowerCase(), total, claimed };
  }

  /** Posts the root unless the chain holds it already; a claimed week's root is final. */
  async post(week: number, root: string, total: bigint): Promise<PostOutcome> {
    const { minted } = await this.budget(week);
    const onChain = await this.weekRoot(week);
    if (onChain.root === root.toLowerCase() && onChain.total === total) return { tx: undefined, minted };
    if (onChain.claimed > 0n) {
      throw new OdmError('ODM_ERR_REWARDS_ROOT_FINAL', `week ${week} already has claims under root ${onChain.root}; its root can no longer change`, {
        details: { week, root: onChain.root, claimed: onChain.claimed.toString() },
      });
    }
    const sent = await this.#calls.send('RewardsPayout', 'postRoot', [BigInt(week), root, total]);
    return { tx: sent.hash, minted };
  }
}
