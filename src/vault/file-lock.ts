// A lock file beside a shared file, for read-modify-write by several processes (possibly on several
// hosts sharing one volume): created exclusively (O_EXCL), holding a random token; a holder that has
// kept it longer than `staleMs` is presumed dead and the lock is taken over (renamed away, so only one
// waiter wins); so is one whose holder, on this host, no longer runs. Synchronous on purpose: the keyring's mutations are synchronous and take milliseconds.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { OdmError } from '../core/errors.ts';

export interface FileLockOptions {
  /** A lock older than this is taken over (default 30 s). */
  staleMs?: number;
  /** Give up waiting after this long (default 60 s). */
  timeoutMs?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Whether the lock's holder was a process on this host that has exited (a crash left the file). */
function holderGone(lockPath: string): boolean {
  let fields: string[];
  try {
    fields = readFileSync(lockPath, 'utf8').split(' ');
  } catch {
    return false;
  }
  const [host, pidText] = fields;
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs `fn` holding `${path}.lock`. */
export function withFileLock<T>(path: string, fn: () => T, options: FileLockOptions = {}): T {
  const lockPath = `${path}.lock`;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const token = `${hostname()} ${process.pid} ${randomBytes(12).toString('hex')}`;
  mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      try {
        writeSync(fd, token);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OdmError('ODM_ERR_VAULT_KEYRING', `cannot create the lock file ${lockPath}`, { cause: err, details: { path: lockPath } });
      }
    }
    let age: number | undefined;
    try {
      age = Date.now() - statSync(lockPath).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    if (age > staleMs || holderGone(lockPath)) {
      // Only one waiter's rename succeeds; the others find the lock gone or fresh.
      const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`;
      try {
        renameSync(lockPath, aside);
        unlinkSync(aside);
      } catch {
        // another waiter took it over first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new OdmError('ODM_ERR_VAULT_KEYRING', `timed out waiting for the lock file ${lockPath}`, { retryable: true, details: { path: lockPath } });
    }
    sleepSync(Math.min(50, 2 + attempt * 2) + Math.random() * 5);
  }
  try {
    return fn();
  } finally {
    try {
      // Not ours any more only if a waiter judged us stale; then it is theirs to remove.
      if (readFileSync(lockPath, 'utf8') === token) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}
