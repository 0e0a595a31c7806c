// Vault compaction in a cluster: only the leader compacts (and rotates log epochs, erases spent ones,
// prunes dedup hashes), so it runs while this process holds the lease and stops when it loses it.
// Events are appended by every ingest process, so the backlog is read from the database rather than
// counted in memory as the single-process loop in vault.ts does. The pacing is the same: rest three
// times as long as each run took while the backlog is below the limit, flat out past it.
import { whileLeader, type LeaderLease } from '../cluster/leader-lease.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import type { Vault } from '../vault/vault.ts';

export interface LeaderCompactionOptions {
  store: Store;
  vault: Vault;
  leader: LeaderLease;
  clock: Clock;
  logger: Logger;
  /** Compact this long after the previous run (default 30 s), sooner past `backlogEvents`; 0 disables. */
  intervalMs?: number;
  backlogEvents?: number;
}

export function startLeaderCompaction(o: LeaderCompactionOptions): { stop(): Promise<void> } {
  const interval = o.intervalMs ?? 30_000;
  if (interval <= 0) return { stop: async () => {} };
  const maxBacklog = o.backlogEvents ?? 200_000;
  const backlog = async () => {
    const r = await o.store.db.selectFrom('vault_log').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n_events'), eb.lit(0)).as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  };
  return whileLeader(
    o.leader,
    async () => {
      o.logger.info('leading: vault compaction runs here');
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let loop: Promise<void> = Promise.resolve();
      let last = o.clock.now();
      const tick = () => {
        loop = (async () => {
          try {
            if (!stopped && (o.clock.now() - last >= interval || (await backlog()) >= maxBacklog)) {
              while (!stopped) {
                const started = performance.now();
                const n = await o.vault.compactor.compactOnce();
                if (n === 0 || stopped) break;
                const spent = performance.now() - started;
                const behind = (await backlog()) >= maxBacklog;
                await new Promise((r) => (behind ? setImmediate(r) : setTimeout(r, spent * 3)));
              }
              if (!stopped) await o.vault.compactor.maintain();
              last = o.clock.now();
            }
          } catch (err) {
            o.logger.error({ err }, 'compaction failed; will retry');
            last = o.clock.now();
          }
          if (!stopped) timer = setTimeout(tick, Math.min(1000, interval));
        })();
      };
      timer = setTimeout(tick, Math.min(1000, interval));
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await loop;
        },
      };
    },
    (err) => o.logger.error({ err }, 'vault compaction could not follow the leader lease'),
  );
}
