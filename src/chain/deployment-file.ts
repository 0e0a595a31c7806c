// The deployment record on disk, and "deploy unless the recorded deployment is still on the chain".
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAddress, type Address } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { ChainPublicClient } from './clients.ts';
import { createChainClients } from './clients.ts';
import { computePlanHash, deployContracts, fetchChainId, type DeployOptions, type Deployment } from './deploy.ts';
import { deployPlan } from './deploy-plan.ts';

/** The recorded deployment, or undefined when the file does not exist. A malformed file is an error. */
export async function loadDeployment(file: string): Promise<Deployment | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `Cannot read the deployment file ${file}`, { details: { file }, cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `The deployment file ${file} is not valid JSON`, { details: { file }, cause: err });
  }
  const problem = deploymentProblem(parsed);
  if (problem) throw new OdmError('ODM_ERR_CONFIG_INVALID', `The deployment file ${file} is malformed: ${problem}`, { details: { file } });
  return parsed as Deployment;
}

function deploymentProblem(d: unknown): string | undefined {
  if (typeof d !== 'object' || d === null) return 'not an object';
  const r = d as Record<string, unknown>;
  if (!Number.isSafeInteger(r.chainId) || (r.chainId as number) <= 0) return 'chainId must be a positive integer';
  if (typeof r.deployer !== 'string' || !isAddress(r.deployer)) return 'deployer must be an address';
  if (typeof r.blockNumber !== 'string' || !/^\d+$/.test(r.blockNumber)) return 'blockNumber must be a decimal string';
  if (typeof r.planHash !== 'string') return 'planHash must be a string';
  if (typeof r.contracts !== 'object' || r.contracts === null) return 'contracts must be an object';
  for (const [name, address] of Object.entries(r.contracts)) {
    if (typeof address !== 'string' || !isAddress(address)) return `contracts.${name} must be an address`;
  }
  return undefined;
}

/** Writes atomically (temp file + rename), so a crash never leaves a half-written record. */
export async function saveDeployment(file: string, deployment: Deployment): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(deployment, null, 2)}\n`);
  await rename(tmp, file);
}

/** Why `deployment` cannot be used on this chain with this plan, or undefined when it can. */
export async function staleReason(publicClient: ChainPublicClient, deployment: Deployment, chainId: number, planHash: string): Promise<string | undefined> {
  if (deployment.chainId !== chainId) return `recorded for chain ${deployment.chainId}, the chain is ${chainId}`;
  if (deployment.planHash !== planHash) return 'contracts or deploy plan changed';
  const entries = Object.entries(deployment.contracts);
  const codes = await Promise.all(entries.map(([, address]) => publicClient.getCode({ address: address as Address })));
  const missing = entries.filter((_, i) => !codes[i] || codes[i] === '0x').map(([name]) => name);
  if (missing.length > 0) return `no code at the recorded address of ${missing.join(', ')} (chain was reset?)`;
  return undefined;
}

export interface EnsureDeploymentOptions extends DeployOptions {
  file: string;
}

export async function ensureDeployment(opts: EnsureDeploymentOptions): Promise<{ deployment: Deployment; reused: boolean }> {
  const log = opts.logger.child({ component: 'deploy' });
  const planHash = computePlanHash(opts.plan ?? deployPlan, opts.artifacts);
  let recorded: Deployment | undefined;
  try {
    recorded = await loadDeployment(opts.file);
  } catch (err) {
    log.warn({ err, file: opts.file }, 'ignoring unreadable deployment record; deploying afresh');
  }
  if (recorded) {
    const chainId = await fetchChainId(opts.rpcUrl);
    const { publicClient } = createChainClients({ rpcUrl: opts.rpcUrl, chainId });
    const reason = await staleReason(publicClient, recorded, chainId, planHash);
    if (!reason) {
      log.info({ chainId, contracts: recorded.contracts }, 'reusing recorded deployment');
      return { deployment: recorded, reused: true };
    }
    log.info({ reason, file: opts.file }, 'recorded deployment is stale; deploying afresh');
  }
  const deployment = await deployContracts(opts);
  await saveDeployment(opts.file, deployment);
  return { deployment, reused: false };
}
