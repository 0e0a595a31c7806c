// Compiles contracts/*.sol with solc-js (standard JSON) into artifacts, with a content-addressed cache
// so that unchanged sources never reach solc again.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Abi, Hex } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Artifacts } from './artifacts.ts';
import { buildHash, CACHE_FORMAT, cacheFilePath, pruneCache, readCache, sha256, touchCache, writeCache, type CacheEntry } from './compile-cache.ts';
import { REPO_ROOT } from './constants.ts';
import { withFileLock } from './file-lock.ts';
import { SOURCE_PREFIX } from './solc-imports.ts';
import type { SolcWorkerInput, SolcWorkerOutput } from './solc-worker.ts';

export type { Artifacts, ContractArtifact } from './artifacts.ts';
export { getArtifact } from './artifacts.ts';

export interface CompileOptions {
  logger: Logger;
  /** Defaults to `<repo>/contracts`. */
  contractsDir?: string;
  /** Where compiled artifacts are cached (tests share `<repo>/.cache/solc`). */
  cacheDir: string;
}

export interface CompileResult {
  artifacts: Artifacts;
  /** True when the artifacts came from the cache and solc was not run. */
  fromCache: boolean;
  cacheFile: string;
  viaIR: boolean;
}

/** Settings every build uses; viaIR is switched on only when a contract hits "stack too deep" without it. */
export const SOLC_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' } as const;

const OUTPUTS = ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'];

export async function compileContracts(opts: CompileOptions): Promise<Artifacts> {
  return (await compileContractsDetailed(opts)).artifacts;
}

export async function compileContractsDetailed(opts: CompileOptions): Promise<CompileResult> {
  const log = opts.logger.child({ component: 'compile' });
  const contractsDir = resolve(opts.contractsDir ?? join(REPO_ROOT, 'contracts'));
  const sources = await readSources(contractsDir);
  const solcVersion = await installedSolcVersion();
  const sourceHashes = Object.keys(sources).sort().map((unit) => [unit, sha256(sources[unit]!)]);
  const key = sha256(JSON.stringify({ format: CACHE_FORMAT, solcVersion, settings: SOLC_SETTINGS, sources: sourceHashes }));
  const cacheFile = cacheFilePath(opts.cacheDir, key);

  const cached = await readCache(cacheFile, key, contractsDir);
  if (cached) {
    await touchCache(cacheFile);
    log.debug({ cacheFile, contracts: Object.keys(cached.artifacts).length }, 'contracts unchanged; using compile cache');
    return { artifacts: cached.artifacts, fromCache: true, cacheFile, viaIR: cached.viaIR };
  }

  await mkdir(opts.cacheDir, { recursive: true });
  // Locked per build, so only identical compiles wait for each other.
  return withFileLock(`${cacheFile}.lock`, log, async () => {
    // Another process may have compiled the same sources while we waited for the lock.
    const again = await readCache(cacheFile, key, contractsDir);
    if (again) return { artifacts: again.artifacts, fromCache: true, cacheFile, viaIR: again.viaIR };

    const started = Date.now();
    let viaIR = false;
    let build = await runSolc(sources, contractsDir, false);
    if (build.errors.some((e) => /stack too deep/i.test(e.message))) {
      log.info('a contract is too deep for the legacy pipeline; recompiling with viaIR');
      viaIR = true;
      build = await runSolc(sources, contractsDir, true);
    }
    const errors = build.errors.filter((e) => e.severity === 'error');
    if (errors.length > 0) {
      throw new OdmError('ODM_ERR_CONTRACT_COMPILE', `Solidity compilation failed: ${firstLine(errors[0]!)}`, {
        details: { contractsDir, errors: errors.map((e) => e.formattedMessage ?? e.message) },
      });
    }
    for (const w of build.errors) log.warn({ warning: w.formattedMessage ?? w.message }, 'solc warning');

    const artifacts = collectArtifacts(build.contracts, contractsDir);
    const units: Record<string, string> = Object.fromEntries(sourceHashes);
    Object.assign(units, build.loaded);
    const entry: CacheEntry = { format: CACHE_FORMAT, key, buildHash: buildHash(key, units), units, viaIR, artifacts };
    await writeCache(cacheFile, opts.cacheDir, entry);
    await pruneCache(opts.cacheDir);
    log.info({ contracts: Object.keys(artifacts).length, ms: Date.now() - started, viaIR, solcVersion }, 'contracts compiled');
    return { artifacts, fromCache: false, cacheFile, viaIR };
  });
}

async function readSources(contractsDir: string): Promise<Record<string, string>> {
  let files: string[];
  try {
    files = (await readdir(contractsDir, { recursive: true })).filter((f) => f.endsWith('.sol')).sort();
  } catch (err) {
    throw new OdmError('ODM_ERR_CONTRACT_COMPILE', `Cannot read the contracts folder ${contractsDir}`, { details: { contractsDir }, cause: err });
  }
  const sources: Record<string, string> = {};
  for (const file of files) {
    sources[SOURCE_PREFIX + file.split(sep).join('/')] = await readFile(join(contractsDir, file), 'utf8');
  }
  return sources;
}

async function installedSolcVersion(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve('solc/package.json');
  return (JSON.parse(await readFile(pkg, 'utf8')) as { version: string }).version;
}

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  message: string;
  formattedMessage?: string;
}

interface SolcContractOutput {
  abi: Abi;
  evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
}

interface SolcBuild {
  errors: SolcError[];
  contracts: Record<string, Record<string, SolcContractOutput>>;
  loaded: Record<string, string>;
}

async function runSolc(sources: Record<string, string>, contractsDir: string, viaIR: boolean): Promise<SolcBuild> {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([unit, content]) => [unit, { content }])),
    settings: {
      ...SOLC_SETTINGS,
      ...(viaIR ? { viaIR: true } : {}),
      // Artifacts only for our own files; imported library code is compiled but not emitted.
      outputSelection: Object.fromEntries(Object.keys(sources).map((unit) => [unit, { '*': OUTPUTS }])),
    },
  };
  const data: SolcWorkerInput = { input: JSON.stringify(input), contractsDir };
  const result = await new Promise<SolcWorkerOutput>((resolveResult, reject) => {
    const worker = new Worker(new URL('./solc-worker.ts', import.meta.url), { workerData: data });
    let answered = false;
    worker.once('message', (m: SolcWorkerOutput) => {
      answered = true;
      resolveResult(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`solc worker exited with code ${code} without a result`));
    });
  }).catch((err: unknown) => {
    throw new OdmError('ODM_ERR_CONTRACT_COMPILE', 'The Solidity compiler (solc-js) failed to run', { details: { contractsDir }, cause: err });
  });
  const output = JSON.parse(result.output) as { errors?: SolcError[]; contracts?: SolcBuild['contracts'] };
  return { errors: output.errors ?? [], contracts: output.contracts ?? {}, loaded: result.loaded };
}

function collectArtifacts(contracts: SolcBuild['contracts'], contractsDir: string): Artifacts {
  const artifacts: Artifacts = {};
  for (const [sourceName, byName] of Object.entries(contracts)) {
    for (const [contractName, out] of Object.entries(byName)) {
      const existing = artifacts[contractName];
      if (existing) {
        // Artifacts are keyed by name, so two contracts sharing one would be ambiguous everywhere else.
        throw new OdmError('ODM_ERR_CONTRACT_COMPILE', `Two contracts are named ${contractName} (${existing.sourceName} and ${sourceName}); rename one`, {
          details: { contractsDir, contractName, sources: [existing.sourceName, sourceName] },
        });
      }
      artifacts[contractName] = {
        contractName,
        sourceName,
        abi: out.abi,
        bytecode: `0x${out.evm.bytecode.object}` as Hex,
        deployedBytecode: `0x${out.evm.deployedBytecode.object}` as Hex,
      };
    }
  }
  return artifacts;
}

function firstLine(e: SolcError): string {
  return (e.formattedMessage ?? e.message).split('\n').slice(0, 2).join(' ').trim();
}

/** Where tests and tools keep compiled artifacts by default (gitignored). */
export function defaultCacheDir(): string {
  return join(REPO_ROOT, '.cache', 'solc');
}

