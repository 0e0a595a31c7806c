// Runs a nats-server from Debian's package (apt-get install nats-server) in a directory on a loopback
// port: for the cluster harness and the tests. JetStream's file store lives in `<dir>/jetstream`, so a
// restart on the same port and dir keeps streams and durable consumers, like a real server restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { freePort } from '../../core/ports.ts';

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
  for (const dir of [...pathEnv.split(delimiter), '/usr/sbin', '/usr/bin']) {
    if (!dir) continue;
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function startNatsServerProcess(opts: NatsServerProcessOptions): Promise<NatsServerProcess> {
  const binary = opts.binary ?? findNatsServer();
  if (binary === undefined) {
    throw new OdmError('ODM_ERR_HARNESS_BINARY_MISSING', `nats-server is not installed; install it with: ${NATS_SERVER_APT}`);
  }
  const port = opts.port ?? (await freePort());
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(opts.jetstream === false ? [] : ['-js', '-sd', join(opts.dir, 'jetstream')])];
  let child: ChildProcess | undefined;
  let starts = 0;

  const start = async () => {
    const logPath = join(opts.dir, `nats-server-${++starts}.log`);
    // Output to a file, not a pipe, so an unref'd child never holds the caller's process open.
    const logFd = openSync(logPath, 'a');
    const c = spawn(binary, args, { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    c.unref();
    c.on('error', () => undefined);
    child = c;
    track(c);
    await waitReady(c, port, logPath);
  };

  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.ref();
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) {
      c.kill('SIGKILL');
      await exited;
    }
    live.delete(c);
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

async function waitReady(child: ChildProcess, port: number, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8').slice(-4096);
    } catch {
      return '';
    }
  };
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new OdmError('ODM_ERR_BUS_UNAVAILABLE', `nats-server exited during startup:\n${log()}`);
    }
    if (log().includes('Server is ready') && (await accepts(port))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new OdmError('ODM_ERR_BUS_UNAVAILABLE', `nats-server not ready within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

// Servers die with the process that started them, whatever way it ends short of SIGKILL.
const live = new Set<ChildProcess>();
let hooked = false;
function track(child: ChildProcess): void {
  live.add(child);
  // A detached watchdog covers a SIGKILLed parent: it polls our pid, then kills the server.
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 1; done; kill -KILL ${child.pid} 2>/dev/null`], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  watchdog.on('error', () => undefined);
  child.once('exit', () => {
    live.delete(child);
    watchdog.kill('SIGKILL');
  });
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}
