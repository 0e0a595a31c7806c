// Guards anvil's state file. Anvil rewrites the file in place (truncate + write) on every periodic dump,
// so a crash mid-dump can leave it truncated, and anvil then refuses to start. We keep a last-known-good
// copy beside it (refreshed at each start and clean stop) and fall back to it when the file is damaged.
import { copyFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../core/logger.ts';

export function backupPath(stateFile: string): string {
  return `${stateFile}.bak`;
}

type Check = 'missing' | 'valid' | 'corrupt';

async function check(file: string): Promise<Check> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'block' in parsed ? 'valid' : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

async function atomicCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.tmp-${process.pid}`;
  await copyFile(from, tmp);
  await rename(tmp, to);
}

/** Makes `stateFile` safe for anvil to load; call before starting anvil. */
export async function prepareStateFile(stateFile: string, logger: Logger): Promise<void> {
  await mkdir(dirname(stateFile), { recursive: true });
  const state = await check(stateFile);
  if (state === 'missing') return;
  if (state === 'valid') {
    await atomicCopy(stateFile, backupPath(stateFile));
    return;
  }
  const aside = `${stateFile}.corrupt-${Date.now()}`;
  await rename(stateFile, aside);
  const backup = backupPath(stateFile);
  if ((await check(backup)) === 'valid') {
    const { mtime } = await stat(backup);
    await atomicCopy(backup, stateFile);
    logger.warn({ stateFile, movedTo: aside, backupFrom: mtime.toISOString() },
      'chain state file was damaged (crash during a dump?); restored the last good copy');
  } else {
    logger.error({ stateFile, movedTo: aside },
      'chain state file was damaged and no good copy exists; starting a fresh chain');
  }
}

/** Refreshes the last-known-good copy; call after anvil exited cleanly (its final dump is complete). */
export async function backupStateFile(stateFile: string): Promise<void> {
  if ((await check(stateFile)) === 'valid') await atomicCopy(stateFile, backupPath(stateFile));
}
