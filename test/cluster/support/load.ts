// HTTP ingest load on the cluster the way devices behave: several senders post batches of fresh events
// round-robin to the ingest processes; a batch counts as acknowledged only on 200 with every event
// stored or recognised as a duplicate. A failed batch is sent again, unchanged, to the next process
// (so a batch stored just before a crash comes back and must be recognised, not stored twice).
import type { Fleet } from './fleet.ts';

export interface Load {
  /** Every acknowledged event id (an id may be acknowledged twice: the retry of a stored batch). */
  acked: Set<string>;
  sent(): number;
  failures(): number;
  /** Acknowledged events so far, and when the last acknowledgement arrived. */
  progress(): { acked: number; lastAckAt: number };
  /** Resolves once at least `n` more events are acknowledged than at the call, or rejects after the timeout. */
  waitForMore(n: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LoadOptions {
  fleet: Fleet;
  /** Asked before each post, so a test can change targets. */
  urls: () => string[];
  senders?: number;
  batch?: number;
  prefix?: string;
  /** Pause between a failed post and its retry. */
  retryDelayMs?: number;
  /** Pause after each acknowledged batch (paces a long-running load). */
  pauseMs?: number;
}

export function startLoad(opts: LoadOptions): Load {
  const acked = new Set<string>();
  const batch = opts.batch ?? 20;
  let next = 0;
  let sent = 0;
  let failures = 0;
  let ackCount = 0;
  let lastAckAt = 0;
  let stopped = false;
  let target = 0;

  const post = async (url: string, ids: string[], body: string): Promise<boolean> => {
    try {
      const res = await fetch(`${url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const json = (await res.json()) as { stored?: number; duplicates?: number };
      return res.status === 200 && (json.stored ?? 0) + (json.duplicates ?? 0) === ids.length;
    } catch {
      return false; // the process died or the answer never came: not acknowledged
    }
  };

  const sender = async () => {
    while (!stopped) {
      const first = next;
      next += batch;
      const ids = Array.from({ length: batch }, (_, k) => `${opts.prefix ?? 'ev'}-${first + k}`);
      const body = `[${ids.map((id, k) => opts.fleet.event(id, first + k)).join(',')}]`;
      sent += ids.length;
      for (;;) {
        const urls = opts.urls();
        const url = urls[target++ % urls.length]!;
        if (await post(url, ids, body)) {
          for (const id of ids) acked.add(id);
          ackCount += ids.length;
          lastAckAt = Date.now();
          if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
          break;
        }
        failures++;
        if (stopped) break;
        await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 200));
      }
    }
  };
  const running = Array.from({ length: opts.senders ?? 4 }, () => sender());

  return {
    acked,
    sent: () => sent,
    failures: () => failures,
    progress: () => ({ acked: ackCount, lastAckAt }),
    async waitForMore(n, timeoutMs) {
      const goal = ackCount + n;
      const deadline = Date.now() + timeoutMs;
      while (ackCount < goal) {
        if (Date.now() > deadline) throw new Error(`load stalled: ${ackCount} acknowledged, wanted ${goal} within ${timeoutMs} ms (${failures} failed posts)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}
