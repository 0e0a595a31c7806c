// A throwaway nats-server for tests: JetStream on, store in a fresh temp dir, loopback, free port.
// The process handling lives in src/cluster/harness/nats-server-process.ts (the cluster harness uses
// it too); this wrapper owns the temp dir and reports `{ skipped }` when nats-server is not installed
// (under CI=true that throws instead: CI must run the NATS tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer, NATS_SERVER_APT, startNatsServerProcess, type NatsServerProcess } from '../../src/cluster/harness/nats-server-process.ts';

export const NATS_NOT_INSTALLED = `nats-server not installed (${NATS_SERVER_APT})`;

/** The harness's server (restart, kill: the dir stays) in a temp dir of its own, gone after stop(). */
export interface TestNatsServer extends NatsServerProcess {
  /** Stops the server and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Graceful stop without removing the dir (restart() brings it back). */
  pause(): Promise<void>;
}

export async function startNatsServer(opts: { jetstream?: boolean; port?: number } = {}): Promise<TestNatsServer | { skipped: string }> {
  if (findNatsServer() === undefined) {
    if (process.env.CI === 'true') throw new Error(`${NATS_NOT_INSTALLED}; CI must run the NATS tests`);
    return { skipped: NATS_NOT_INSTALLED };
  }
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-nats-'));
  try {
    const server = await startNatsServerProcess({ dir, jetstream: opts.jetstream ?? true, ...(opts.port !== undefined ? { port: opts.port } : {}) });
    let stopping: Promise<void> | undefined;
    return {
      ...server,
      pause: server.stop,
      stop: () =>
        (stopping ??= (async () => {
          await server.stop();
          rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
        })()),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}
