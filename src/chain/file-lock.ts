// A lock file shared between processes, so parallel test files (or two nodes) that need the same
// compile run solc once and the others pick up its cached result.
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/logger.ts';
import { isAlive } from './anvil-pid-file.ts';

export async function withFileLock<T>(file: string, logger: Logger, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let held = false;
  let waited = false;
  while (!held) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      held = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      // A lock whose owner died (crash mid-compile) is stale. An empty file is a lock being written.
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && !isAlive(owner)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        logger.warn({ lock: file }, 'lock still held after waiting; proceeding without it');
        break;
      }
      if (!waited) logger.info({ lock: file, owner }, 'waiting for another process doing the same work');
      waited = true;
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    if (held) await rm(file, { force: true });
  }
}
