// One `opendimo node --role <roles>` process of a harness cluster: its own data dir and HTTP port, the
// shared OPENDIMO_* environment, output in <dataDir>/node.log. It can be killed with any signal and
// restarted on the same port and data dir, as an operator's supervisor (systemd) would.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OdmError } from '../../core/errors.ts';
import { freePort } from '../../core/ports.ts';
import { guardChild, type Guard } from './child-guard.ts';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface NodeProcess {
  /** e.g. `ingest-1`. */
  name: string;
  /** The --role value, e.g. `ingest` or `api,indexer`. */
  role: string;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dataDir: string;
  /** The running process's pid (undefined while stopped). */
  pid(): number | undefined;
  running(): boolean;
  /** Sends `signal` (SIGKILL by default) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again (killing it first if it still runs) and waits until /health answers ok. */
  restart(): Promise<void>;
  /** SIGTERM, SIGKILL after the timeout; resolves when the process is gone. Idempotent. */
  stop(timeoutMs?: number): Promise<void>;
  /** The tail of its output (all starts), for failure messages. */
  output(): string;
}

export interface NodeProcessOptions {
  name: string;
  role: string;
  dataDir: string;
  /** OPENDIMO_* variables shared by the cluster (database, chain, MQTT, NATS, KEK, keyring). */
  env: Record<string, string>;
  port?: number;
  /** How long to wait for /health to be ok. Default 60 s (several processes start side by side on small machines). */
  healthTimeoutMs?: number;
}

export async function startNodeProcess(opts: NodeProcessOptions): Promise<NodeProcess> {
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(opts.dataDir, 'node.log');
  let child: ChildProcess | undefined;
  let guard: Guard | undefined;
  let exited: Promise<void> = Promise.resolve();

  const output = () => {
    try {
      return readFileSync(logPath, 'utf8').slice(-8192);
    } catch {
      return '';
    }
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const start = async () => {
    // Output to a file, not a pipe: a busy node never blocks on a harness that is not reading.
    const logFd = openSync(logPath, 'a');
    const c = spawn(process.execPath, [CLI, 'node', '--role', opts.role], {
      cwd: REPO_ROOT,
      env: { ...process.env, OPENDIMO_LOG_LEVEL: 'warn', ...opts.env, OPENDIMO_DATA_DIR: opts.dataDir, OPENDIMO_HTTP_HOST: '127.0.0.1', OPENDIMO_HTTP_PORT: String(port) },
      stdio: ['ignore', logFd, logFd],
      // Its own process group: a Ctrl-C meant for the harness must not reach it before the harness stops it.
      detached: true,
    });
    closeSync(logFd);
    c.on('error', () => undefined);
    child = c;
    guard = guardChild(c);
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    await waitHealthy(c, url, opts.healthTimeoutMs ?? 60_000, opts.name, output);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (!running()) return;
    child!.kill(signal);
    await exited;
    guard?.release();
  };

  const stop = async (timeoutMs = 20_000) => {
    if (!running()) return;
    child!.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    guard?.release();
  };

  await start();
  return {
    name: opts.name,
    role: opts.role,
    url,
    port,
    dataDir: opts.dataDir,
    pid: () => (running() ? child!.pid : undefined),
    running,
    kill,
    restart: async () => {
      await kill('SIGKILL');
      await start();
    },
    stop,
    output,
  };
}

/** Polls /health until the node says ok; fails with its output if it exits or the deadline passes. */
export async function waitHealthy(child: ChildProcess, url: string, timeoutMs: number, name: string, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new OdmError('ODM_ERR_UNAVAILABLE', `${name} exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${output()}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
      const body = (await res.json()) as { status?: string };
      if (res.status === 200 && body.status === 'ok') return;
      last = JSON.stringify(body);
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new OdmError('ODM_ERR_TIMEOUT', `${name} not healthy within ${timeoutMs} ms; last /health: ${last}\n${output()}`);
}
