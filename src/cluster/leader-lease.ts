// The leader lease: among the processes with the indexer role exactly one is the leader at a time. The
// leader writes the chain mirrors and runs the singleton jobs; the others follow. On PostgreSQL the
// lease is a session advisory lock (pg-leader-lease.ts), so it is released when the holder dies; a
// single-process node on SQLite leads whenever it has the indexer role.
import type { HealthProbe } from '../core/health.ts';

export interface LeaderLease {
  readonly isLeader: boolean;
  /** Called with true when this process becomes the leader and false when it loses the lease. */
  onChange(listener: (leader: boolean) => void): () => void;
  probe: HealthProbe;
  /** Gives the lease up (if held) and stops trying to take it. */
  stop(): Promise<void>;
}

/** A lease that never changes hands: a single process, or one without the indexer role. */
export function staticLease(leader: boolean): LeaderLease {
  return {
    isLeader: leader,
    onChange: () => () => {},
    probe: async () => ({ ok: true, detail: leader ? 'leader (single process)' : 'follower (no indexer role)' }),
    stop: async () => {},
  };
}

/**
 * Runs `start` while this process leads and stops what it returned when the lease is lost, so leader-only
 * work never runs in two processes at once. Returns the function that stops following the lease.
 */
export function whileLeader(lease: LeaderLease, start: () => Promise<{ stop(): Promise<void> | void }>, onError: (err: unknown) => void): { settled(): Promise<void>; stop(): Promise<void> } {
  let running: { stop(): Promise<void> | void } | undefined;
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (fn: () => Promise<void>) => (chain = chain.then(fn).catch(onError));
  const become = (leader: boolean) =>
    enqueue(async () => {
      if (leader && !running && lease.isLeader) running = await start();
      else if (!leader && running) {
        const r = running;
        running = undefined;
        await r.stop();
      }
    });
  const off = lease.onChange(become);
  if (lease.isLeader) become(true);
  return {
    /** Resolves once the starts and stops asked so far have run (a single process awaits its first start). */
    settled: () => chain,
    async stop() {
      off();
      become(false);
      await chain;
    },
  };
}
