// Runs a nats-server from Debian's package (apt-get install nats-server) in a directory on a loopback
// port: for the cluster harness and the tests. JetStream's file store lives in `<dir>/jetstream`, so a
// restart on the same port and dir keeps streams and durable consumers, like a real server restart.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { freePort } from '../../core/ports.ts';
import { guardChild, type Guard } from './child-guard.ts';
import { acceptsTcp, findDebianBinary, requireBinary, spawnLogged, stopChild, tailFile, waitChildReady } from './debian-server.ts';

export const NATS_SERVER_APT = 'apt-get install nats-server';
const READY_TIMEOUT_MS = 20_000;

export interface NatsServerProcess {
  url: string;
  port: number;
  dir: string;
  /** Graceful stop (SIGTERM, SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port and store dir. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

export interface NatsServerProcessOptions {
  /** Holds the log and the JetStream store; the caller owns (and removes) it. */
  dir: string;
  port?: number;
  jetstream?: boolean;
  /** Defaults to findNatsServer(). */
  binary?: string;
}

/** `nats-server` on PATH, else Debian's /usr/sbin/nats-server; undefined when neither exists. */
export function findNatsServer(pathEnv = process.env.PATH ?? ''): string | undefined {
  return findDebianBinary('nats-server', pathEnv);
}

export async function startNatsServerProcess(opts: NatsServerProcessOptions): Promise<NatsServerProcess> {
  const binary = opts.binary ?? requireBinary(findNatsServer(), 'nats-server', NATS_SERVER_APT);
  const port = opts.port ?? (await freePort());
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(opts.jetstream === false ? [] : ['-js', '-sd', join(opts.dir, 'jetstream')])];
  let child: ChildProcess | undefined;
  let guard: Guard | undefined;
  let starts = 0;

  const start = async () => {
    const logPath = join(opts.dir, `nats-server-${++starts}.log`);
    const c = spawnLogged(binary, args, logPath);
    child = c;
    // Servers die with the process that started them, however it ends.
    guard = guardChild(c);
    await waitChildReady(c, READY_TIMEOUT_MS, async () => tailFile(logPath).includes('Server is ready') && (await acceptsTcp(port)), (why) =>
      new OdmError('ODM_ERR_BUS_UNAVAILABLE', `${why === 'exited' ? 'nats-server exited during startup' : `nats-server not ready within ${READY_TIMEOUT_MS} ms`}:\n${tailFile(logPath)}`));
  };

  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (!c) return;
    await stopChild(c, [[signal, 10_000]]);
    guard?.release();
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    dir: opts.dir,
    stop: () => halt('SIGTERM'),
    restart: async () => {
      await halt('SIGTERM');
      await start();
    },
    kill: () => halt('SIGKILL'),
  };
}
