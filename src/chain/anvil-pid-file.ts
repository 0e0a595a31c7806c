// Orphan protection. If the node dies without stopping its chain (kill -9, power loss of the parent
// only), the anvil child keeps running, holding its port and, worse, dumping its state over the state
// file the next anvil loads. The pid file lets the next start find and end that leftover process.
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/logger.ts';

export async function writePidFile(file: string, pid: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${pid}\n`);
}

/** Removes the pid file only if it still names `pid` (a newer run may own it by now). */
export async function removePidFile(file: string, pid: number): Promise<void> {
  if ((await readPid(file)) === pid) await rm(file, { force: true });
}

async function readPid(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` is a running anvil; pids get reused, so a live pid alone proves nothing. */
export function isAnvilProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  let command = '';
  try {
    // Zombies and kernel threads have an empty cmdline, which correctly reads as "not anvil".
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  } catch {
    try {
      command = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return false;
    }
  }
  const base = command.split(/[\\/]/).pop() ?? '';
  return base === 'anvil' || base === 'anvil.exe';
}

/**
 * Ends the anvil named by `file` if one is still running from an earlier run. SIGTERM first so it
 * dumps its (newest) state, SIGKILL if it does not exit in time. Returns the pid it ended, if any.
 */
export async function killStaleAnvil(file: string, logger: Logger, timeoutMs = 10_000): Promise<number | undefined> {
  const pid = await readPid(file);
  if (pid === undefined) return undefined;
  if (pid === process.pid || !isAnvilProcess(pid)) {
    await rm(file, { force: true });
    return undefined;
  }
  logger.warn({ anvilPid: pid, pidFile: file }, 'stopping anvil left running by an earlier run');
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, timeoutMs))) {
    logger.warn({ anvilPid: pid }, 'stale anvil ignored SIGTERM; killing it');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await waitForExit(pid, 2_000);
  }
  await rm(file, { force: true });
  return pid;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAnvilProcess(pid)) return true;
    await sleep(50);
  }
  return !isAnvilProcess(pid);
}
