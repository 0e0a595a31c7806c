// Runs Mosquitto from Debian's package (apt-get install mosquitto) with a generated config: one MQTT 5
// listener on a loopback port, anonymous clients (loopback only), persistence in the given dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { freePort } from '../../core/ports.ts';
import { guardChild, type Guard } from './child-guard.ts';

export const MOSQUITTO_APT = 'apt-get install mosquitto';
const READY_TIMEOUT_MS = 15_000;

export interface MosquittoProcess {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port and persistence dir. */
  restart(): Promise<void>;
}

export interface MosquittoProcessOptions {
  /** Holds mosquitto.conf, the log and the persistence file; the caller owns (and removes) it. */
  dir: string;
  port?: number;
  binary?: string;
}

/** `mosquitto` on PATH, else Debian's /usr/sbin/mosquitto; undefined when neither exists. */
export function findMosquitto(pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...pathEnv.split(delimiter), '/usr/sbin', '/usr/bin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, 'mosquitto'), constants.X_OK);
      return join(dir, 'mosquitto');
    } catch {
      // not here
    }
  }
  return undefined;
}

export function mosquittoConfig(port: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`,
    'protocol mqtt',
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    // As root Mosquitto would switch to the `mosquitto` user, who cannot write the caller's temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    // Shared subscriptions hand each ingest process QoS 1 messages; a larger window keeps them busy.
    'max_inflight_messages 200',
    'max_queued_messages 100000',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export async function startMosquittoProcess(opts: MosquittoProcessOptions): Promise<MosquittoProcess> {
  const binary = opts.binary ?? findMosquitto();
  if (binary === undefined) {
    throw new OdmError('ODM_ERR_HARNESS_BINARY_MISSING', `mosquitto is not installed; install it with: ${MOSQUITTO_APT}`);
  }
  const port = opts.port ?? (await freePort());
  const confPath = join(opts.dir, 'mosquitto.conf');
  writeFileSync(confPath, mosquittoConfig(port, opts.dir));
  let child: ChildProcess | undefined;
  let guard: Guard | undefined;
  let starts = 0;

  const start = async () => {
    const logPath = join(opts.dir, `mosquitto-${++starts}.log`);
    const logFd = openSync(logPath, 'a');
    const c = spawn(binary, ['-c', confPath], { stdio: ['ignore', logFd, logFd], detached: true }); // own group: see node-process.ts
    closeSync(logFd);
    c.unref();
    c.on('error', () => undefined);
    child = c;
    guard = guardChild(c);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (c.exitCode !== null || c.signalCode !== null || Date.now() > deadline) {
        c.kill('SIGKILL');
        throw new OdmError('ODM_ERR_MQTT_UNAVAILABLE', `mosquitto did not start on port ${port}:\n${tail(logPath)}`);
      }
      await new Promise((r) => setTimeout(r, 50)); // ref'd: the caller waits for this start
    }
  };

  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.ref();
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]))) {
      c.kill('SIGKILL');
      await exited;
    }
    guard?.release();
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir: opts.dir,
    stop: halt,
    restart: async () => {
      await halt();
      await start();
    },
  };
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

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4096);
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
