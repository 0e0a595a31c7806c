// One node per data dir: two processes writing the same SQLite file and anvil state would corrupt
// both. The lock file holds the owner's pid so a lock left by a crashed node is taken over.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { OdmError } from '../core/errors.ts';

export const LOCK_FILE_NAME = 'opendimo.lock';

export interface DataDirLock {
  path: string;
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          // Only remove a lock that is still ours.
          if (readPid(path) === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readPid(path);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new OdmError(
          'ODM_ERR_DATA_DIR_LOCKED',
          `data dir ${dataDir} is in use by another opendimo node (pid ${holder}); lock file ${path}`,
          { details: { lockFile: path, pid: holder } },
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new OdmError('ODM_ERR_DATA_DIR_LOCKED', `could not take the lock file ${path}`, { details: { lockFile: path } });
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
