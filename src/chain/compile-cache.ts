// The compile cache: one JSON file per set of contract sources, which records every source unit that
// went into the build (imports included) with its content hash. A hit requires every one of those
// files to still hash the same, so a changed OpenZeppelin file invalidates it as surely as our own.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifacts } from './artifacts.ts';
import { moduleRoots, resolveSourceUnit } from './solc-imports.ts';

export const CACHE_FORMAT = 1;

export interface CacheEntry {
  format: typeof CACHE_FORMAT;
  /** Hash of solc version, settings and our sources; also names the file. */
  key: string;
  /** Hash over `key` and every unit's content hash: the full identity of the build. */
  buildHash: string;
  /** Every source unit of the build → sha256 of its content. */
  units: Record<string, string>;
  viaIR: boolean;
  artifacts: Artifacts;
}

export function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function buildHash(key: string, units: Record<string, string>): string {
  const sorted = Object.keys(units).sort().map((unit) => [unit, units[unit]]);
  return sha256(JSON.stringify([key, sorted]));
}

export function cacheFilePath(cacheDir: string, key: string): string {
  return join(cacheDir, `solc-${key.slice(0, 32)}.json`);
}

/** The cached build for `key`, if present and every source it used is unchanged. */
export async function readCache(file: string, key: string, contractsDir: string): Promise<CacheEntry | undefined> {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry;
  } catch {
    return undefined; // Missing or unreadable: just compile again.
  }
  if (entry.format !== CACHE_FORMAT || entry.key !== key || typeof entry.units !== 'object') return undefined;
  const roots = moduleRoots(contractsDir);
  for (const [unit, hash] of Object.entries(entry.units)) {
    const path = resolveSourceUnit(unit, contractsDir, roots);
    if (!path) return undefined;
    const content = await readFile(path, 'utf8').catch(() => undefined);
    if (content === undefined || sha256(content) !== hash) return undefined;
  }
  return entry.buildHash === buildHash(key, entry.units) ? entry : undefined;
}

export async function writeCache(file: string, cacheDir: string, entry: CacheEntry): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, JSON.stringify(entry));
  await rename(tmp, file);
}

/** Marks an entry as recently used, so pruning keeps it. */
export async function touchCache(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
}

/**
 * Keeps the `keep` most recently used entries. Every edit of a contract adds an entry, so without this
 * the cache grows for as long as anyone develops contracts.
 */
export async function pruneCache(cacheDir: string, keep = 24): Promise<void> {
  const names = (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => /^solc-[0-9a-f]+\.json$/.test(n));
  if (names.length <= keep) return;
  const dated = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(join(cacheDir, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(dated.slice(keep).map(({ name }) => rm(join(cacheDir, name), { force: true })));
}
