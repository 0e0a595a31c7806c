// Children of the harness must not outlive it. A normal exit signals them from an exit hook; a
// SIGKILLed harness cannot run hooks, so a detached shell watchdog polls our pid and then ends the
// child (and optionally removes a directory once the child is gone).
import { spawn, type ChildProcess } from 'node:child_process';

export interface GuardOptions {
  /** Signal for the orphaned child; KILL by default (PostgreSQL prefers QUIT). */
  signal?: 'KILL' | 'QUIT' | 'TERM';
  /** Removed (rm -rf) by the watchdog after the child is gone, when the harness died first. */
  removeDir?: string;
}

export interface Guard {
  /** The child stopped normally: stand the watchdog down. */
  release(): void;
}

const live = new Map<ChildProcess, NodeJS.Signals>();
let hooked = false;

export function guardChild(child: ChildProcess, opts: GuardOptions = {}): Guard {
  const pid = child.pid;
  if (pid === undefined) return { release: () => undefined };
  const signal = opts.signal ?? 'KILL';
  const rm = opts.removeDir ? `; while kill -0 ${pid} 2>/dev/null; do sleep 0.1; done; rm -rf '${opts.removeDir.replace(/'/g, "'\\''")}'` : '';
  // Polls only our pid: release() ends the watchdog when the child stops while we live.
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -${signal} ${pid} 2>/dev/null${rm}`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  watchdog.on('error', () => undefined);
  live.set(child, `SIG${signal}` as NodeJS.Signals);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const [c, s] of live) c.kill(s);
    });
  }
  const release = () => {
    live.delete(child);
    watchdog.kill('SIGKILL');
  };
  child.once('exit', release);
  return { release };
}

/** Removes `dir` once this process is gone, if it dies without cleaning up (SIGKILL); release() on a normal stop. */
export function guardDir(dir: string): Guard {
  // The children's own watchdogs end them within a second or two; the dir goes after that.
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; sleep 3; rm -rf '${dir.replace(/'/g, "'\\''")}'`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  watchdog.on('error', () => undefined);
  return { release: () => watchdog.kill('SIGKILL') };
}
