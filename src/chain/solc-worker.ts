// Runs solc-js off the main thread: loading the compiler and compiling take seconds of pure CPU, and the
// node (health checks, anvil start-up running in parallel) must stay responsive meanwhile.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { moduleRoots, resolveSourceUnit } from './solc-imports.ts';

export interface SolcWorkerInput {
  /** Standard JSON input, serialized. */
  input: string;
  contractsDir: string;
}

export interface SolcWorkerOutput {
  /** Standard JSON output, serialized. */
  output: string;
  /** Every file the import callback read: unit name → sha256 of its content. */
  loaded: Record<string, string>;
}

const { input, contractsDir } = workerData as SolcWorkerInput;
const solc = createRequire(import.meta.url)('solc') as { compile(input: string, callbacks: object): string };
const roots = moduleRoots(contractsDir);
const loaded: Record<string, string> = {};

function findImports(unit: string): { contents: string } | { error: string } {
  const file = resolveSourceUnit(unit, contractsDir, roots);
  if (!file) return { error: `File not found: ${unit} (looked in ${contractsDir} and node_modules)` };
  const contents = readFileSync(file, 'utf8');
  loaded[unit] = createHash('sha256').update(contents).digest('hex');
  return { contents };
}

const output = solc.compile(input, { import: findImports });
parentPort!.postMessage({ output, loaded } satisfies SolcWorkerOutput);
