// What the harness's servers from Debian's packages (postgresql, nats-server, mosquitto) have in common:
// finding the binary (or saying what to apt-get install), running it with its output in a log file,
// waiting until it is ready, and stopping it with escalating signals.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { OdmError } from '../../core/errors.ts';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` on PATH, else in Debian's /usr/sbin or /usr/bin; undefined when none has it. */
export function findDebianBinary(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...pathEnv.split(delimiter), '/usr/sbin', '/usr/bin']) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** `found`, or ODM_ERR_HARNESS_BINARY_MISSING naming `what` and the command that installs it. */
export function requireBinary<T>(found: T | undefined, what: string, apt: string): T {
  if (found === undefined) throw new OdmError('ODM_ERR_HARNESS_BINARY_MISSING', `${what} is not installed; install it with: ${apt}`);
  return found;
}

/**
 * Starts `cmd` with stdout and stderr appended to `logPath`, unref'd: a file, not a pipe, so the child
 * never holds the caller's process open nor blocks on a caller that is not reading.
 */
export function spawnLogged(cmd: string, args: string[], logPath: string, opts: SpawnOptions = {}): ChildProcess {
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { ...opts, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  child.unref();
  child.on('error', () => undefined); // shows as an exit during startup; unhandled it would crash the caller
  return child;
}

/** The last `bytes` of a log file ('' when it cannot be read), for failure messages. */
export function tailFile(path: string, bytes = 4096): string {
  try {
    return readFileSync(path, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

/** True when something accepts TCP connections on the loopback port. */
export function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `ready` every 50 ms. The child exiting first fails with `error('exited')`; the deadline passing
 * SIGKILLs it and fails with `error('timeout')`.
 */
export async function waitChildReady(
  child: ChildProcess,
  timeoutMs: number,
  ready: () => Promise<boolean>,
  error: (why: 'exited' | 'timeout') => Error,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw error('exited');
    if (await ready()) return;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw error('timeout');
    }
    await new Promise((r) => setTimeout(r, 50)); // ref'd: the caller waits for this start
  }
}

/** Sends each signal in turn, waiting its time for the exit, then SIGKILL; resolves once the child has gone. */
export async function stopChild(child: ChildProcess, steps: ReadonlyArray<readonly [NodeJS.Signals, number]>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // keep this process alive until the server has really gone
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  for (const [signal, ms] of steps) {
    child.kill(signal);
    if (await within(ms)) return;
  }
  child.kill('SIGKILL');
  await exited;
}
