// Polling runs in one process of a cluster: the leader. Onboarding, pause, resume and disconnect may be
// handled by any api process, which only writes the connection rows; the leader reconciles its polling
// set with the active rows every few seconds (and at once when it takes over), so a change made
// elsewhere takes effect within one interval. In a single process the calls also act directly.
import type { LeaderLease } from '../../cluster/leader-lease.ts';
import { whileLeader } from '../../cluster/leader-lease.ts';
import type { Logger } from '../../core/logger.ts';
import type { ConnectorStore } from '../store/connector-store.ts';
import type { ConnectorRuntime } from './connector-runtime.ts';

export const DEFAULT_RECONCILE_MS = 2_000;

/** Adds active connections the runtime does not poll yet and drops the ones no longer active. */
export async function reconcilePolling(runtime: ConnectorRuntime, store: ConnectorStore): Promise<{ added: number; removed: number }> {
  const rows = await store.activeVehicles();
  const active = new Set(rows.map((r) => r.connection_id));
  let added = 0;
  let removed = 0;
  for (const row of rows) {
    if (runtime.vehicles.has(row.connection_id) || !row.vehicle_token_id || !row.device_token_id) continue;
    await runtime.add(row);
    if (runtime.vehicles.has(row.connection_id)) added++;
  }
  for (const id of [...runtime.vehicles.keys()]) {
    if (active.has(id)) continue;
    await runtime.remove(id);
    removed++;
  }
  return { added, removed };
}

export function pollWhileLeader(opts: { lease: LeaderLease; runtime: ConnectorRuntime; store: ConnectorStore; logger: Logger; reconcileMs?: number }): { settled(): Promise<void>; stop(): Promise<void> } {
  const { runtime, store, logger } = opts;
  return whileLeader(
    opts.lease,
    async () => {
      await runtime.start();
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      const tick = () => {
        timer = setTimeout(() => {
          reconcilePolling(runtime, store)
            .then((r) => (r.added || r.removed ? logger.info(r, 'polling set reconciled with the stored connections') : undefined))
            .catch((err: unknown) => logger.warn({ err }, 'could not reconcile the polling set; retrying'))
            .finally(() => (stopped ? undefined : tick()));
        }, opts.reconcileMs ?? DEFAULT_RECONCILE_MS);
        timer.unref();
      };
      tick();
      logger.info({ polled: runtime.vehicles.size }, 'leading: polling the active connections');
      return {
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await runtime.stop();
          for (const id of [...runtime.vehicles.keys()]) await runtime.remove(id);
          logger.info('no longer leading: polling handed over');
        },
      };
    },
    (err) => logger.error({ err }, 'connector polling failed to start or stop'),
  );
}
