// Runs a mirror's indexer while this process holds the leader lease and follows the leader's writes
// otherwise, switching over on lease changes without a restart. The follower catches up one last time
// before the indexer takes over, so the new leader continues from exactly where the old one stopped
// (and the cursor's compare-and-swap catches a deposed leader that still commits one more block).
import type { LeaderLease } from '../../cluster/leader-lease.ts';
import type { Logger } from '../../core/logger.ts';
import type { Store } from '../../store/store.ts';
import type { ChainIndexer } from './chain-indexer.ts';
import { MirrorFollower } from './mirror-follower.ts';

export interface LeadOrFollowOptions {
  indexer: ChainIndexer;
  lease: LeaderLease;
  store: Store;
  logger: Logger;
  /** The follower's poll interval (default 300 ms). */
  pollMs?: number;
  /** Called after this process starts or stops leading (e.g. to run leader-only timers). */
  onLeading?: (leading: boolean) => void;
}

export interface LeadOrFollow {
  /** Whether the indexer runs here (false: following). */
  readonly leading: boolean;
  stop(): Promise<void>;
}

/** Resolves once the indexer runs (leader) or the follower has loaded the mirror (follower). */
export async function leadOrFollow(opts: LeadOrFollowOptions): Promise<LeadOrFollow> {
  const { indexer, lease } = opts;
  // Makes sure the cursor exists; only a leader rebuilds a mirror whose meaning changed (an upgraded
  // follower must not wipe what the old leader still writes; it rebuilds once it leads).
  await indexer.open({ follow: !lease.isLeader });
  const follower = new MirrorFollower({ indexer, store: opts.store, logger: opts.logger, ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}) });
  let mode: 'lead' | 'follow' | undefined;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const leave = async (): Promise<void> => {
    if (mode === 'lead') await indexer.stop();
    else if (mode === 'follow') await follower.stop();
    const was = mode;
    mode = undefined;
    if (was === 'lead') opts.onLeading?.(false);
  };
  // Serialized, and always towards the lease's state at that moment (a flap collapses to no-ops).
  const settle = (): Promise<void> =>
    (chain = chain
      .then(async () => {
        if (stopped) return;
        const want = lease.isLeader ? 'lead' : 'follow';
        if (want === mode) return;
        await leave();
        if (want === 'lead') {
          await indexer.start();
          mode = 'lead';
          opts.onLeading?.(true);
        } else {
          await follower.start();
          mode = 'follow';
        }
        opts.logger.info({ indexer: indexer.name, mode, at: String(indexer.position.number) }, want === 'lead' ? 'indexing the chain (leader)' : 'following the leader\'s mirror');
      })
      .catch((err: unknown) => opts.logger.error({ indexer: indexer.name, reason: err instanceof Error ? err.message : String(err) }, 'switching between leading and following failed')));
  const off = lease.onChange(() => void settle());
  await settle();
  return {
    get leading() {
      return mode === 'lead';
    },
    async stop() {
      off();
      stopped = true;
      await chain;
      await leave();
    },
  };
}
