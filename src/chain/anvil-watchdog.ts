// Ends anvil when the node process dies without stopping it (kill -9, a test runner's timeout). A tiny
// detached shell blocks reading a pipe whose other end only this process holds; when the process dies,
// the kernel closes the pipe, the read returns and the shell sends anvil SIGTERM (so it still dumps its
// state). No polling. The pid file covers platforms without /bin/sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';

const SCRIPT = 'read _ignored; kill -TERM "$1" 2>/dev/null';

/** Starts the watchdog; disarm it with {@link disarmAnvilWatchdog} before stopping anvil normally. */
export function startAnvilWatchdog(anvilPid: number): ChildProcess | undefined {
  if (process.platform === 'win32' || !existsSync('/bin/sh')) return undefined;
  const watchdog = spawn('/bin/sh', ['-c', SCRIPT, 'opendimo-anvil-watchdog', String(anvilPid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.on('error', () => {}); // Best effort: the pid file still protects the next start.
  watchdog.stdin?.on('error', () => {});
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  return watchdog;
}

/** SIGKILL, so the shell cannot run its kill line (anvil's pid may be reused once anvil exits). */
export function disarmAnvilWatchdog(watchdog: ChildProcess | undefined): void {
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
}
