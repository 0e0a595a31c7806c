// Helpers for tests that need contracts or a chain (used beyond src/chain too). Not a test file itself.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Abi, Address, TransactionReceipt } from 'viem';
import type { Logger } from '../core/logger.ts';
import type { ChainPublicClient, SignerChainClients } from './clients.ts';
import type { Artifacts } from './artifacts.ts';
import { compileContracts } from './compile.ts';
import { REPO_ROOT } from './constants.ts';
import { deployPlan, type DeployStep } from './deploy-plan.ts';

/** The compile cache all tests share, so solc runs once per set of sources across the whole suite. */
export const TEST_CACHE_DIR = join(REPO_ROOT, '.cache', 'solc');

/** A fresh temp dir, removed by the returned cleanup (register it with `after`/`t.after`). */
export async function makeTempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `opendimo-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A contracts folder holding only a copy of contracts/DimoToken.sol, so token, deploy and embedded-chain
 * tests do not depend on every other contract in contracts/ compiling at that moment.
 */
export async function tokenOnlyContractsDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await makeTempDir('token-src');
  await mkdir(temp.dir, { recursive: true });
  await copyFile(join(REPO_ROOT, 'contracts', 'DimoToken.sol'), join(temp.dir, 'DimoToken.sol'));
  return temp;
}

/** Artifacts of DimoToken alone (see {@link tokenOnlyContractsDir}), from the shared cache when possible. */
export async function tokenOnlyArtifacts(logger: Logger): Promise<Artifacts> {
  const { dir, cleanup } = await tokenOnlyContractsDir();
  try {
    return await compileContracts({ logger, contractsDir: dir, cacheDir: TEST_CACHE_DIR });
  } finally {
    await cleanup();
  }
}

/** The DimoToken step of the node's plan on its own. */
export const tokenOnlyPlan: DeployStep[] = deployPlan.filter((step) => step.name === 'DimoToken');

/** Reads a view function through an untyped (artifact) ABI, casting the result to what the test expects. */
export async function readAs<T>(publicClient: ChainPublicClient, address: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return (await publicClient.readContract({ address, abi, functionName, args })) as T;
}

/** Sends a transaction through an untyped (artifact) ABI and waits until it is mined; rejects on revert. */
export async function sendAndMine(
  clients: SignerChainClients,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<TransactionReceipt> {
  const hash = await clients.walletClient.writeContract({ address, abi, functionName, args } as Parameters<SignerChainClients['walletClient']['writeContract']>[0]);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${functionName} reverted (${hash})`);
  return receipt;
}
