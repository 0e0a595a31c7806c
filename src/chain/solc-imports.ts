// How source unit names map to files, shared by the solc import callback and the cache check so both
// read exactly the same bytes. Our sources are `contracts/<path>`; everything else (for example
// `@openzeppelin/contracts/token/ERC20/ERC20.sol`) comes from the nearest node_modules.
import { existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { REPO_ROOT } from './constants.ts';

export const SOURCE_PREFIX = 'contracts/';

/** node_modules folders to search, nearest first: above the contracts dir, then above the repo. */
export function moduleRoots(contractsDir: string): string[] {
  const roots: string[] = [];
  for (const start of [resolve(contractsDir), resolve(REPO_ROOT)]) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, 'node_modules');
      if (!roots.includes(candidate) && existsSync(candidate)) roots.push(candidate);
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return roots;
}

/** The file behind a source unit name, or undefined when nothing provides it. */
export function resolveSourceUnit(unit: string, contractsDir: string, roots: string[]): string | undefined {
  // Unit names come from import statements; refuse anything that would climb out of its root.
  if (unit.split('/').includes('..')) return undefined;
  if (unit.startsWith(SOURCE_PREFIX)) {
    const file = join(contractsDir, ...unit.slice(SOURCE_PREFIX.length).split('/'));
    return existsSync(file) ? file : undefined;
  }
  for (const root of roots) {
    const file = join(root, ...unit.split('/'));
    if (file.startsWith(root + sep) && existsSync(file)) return file;
  }
  return undefined;
}
