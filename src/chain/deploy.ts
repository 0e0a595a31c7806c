// Deploys the contracts of a plan, one after the other, waiting for each receipt.
import { createHash } from 'node:crypto';
import { createPublicClient, getAddress, http, keccak256, type Address, type Hex } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { getArtifact, type Artifacts } from './artifacts.ts';
import { accountFromKey, createChainClients, redactRpcUrl } from './clients.ts';
import { deployPlan } from './deploy-plan.ts';
import { shortMessage } from './deploy-tx.ts';
import type { DeployContext, DeployStep } from './deploy-types.ts';

export interface Deployment {
  chainId: number;
  deployer: Address;
  /** Step name → contract address. */
  contracts: Record<string, Address>;
  /** Decimal block number of the first deployment transaction: where indexers start. */
  blockNumber: string;
  /** Identifies the plan and every contract's bytecode; a change means the recorded deployment is stale. */
  planHash: string;
}

export interface DeployOptions {
  rpcUrl: string;
  /** Pays for the deployment and becomes the contracts' admin; never logged. */
  privateKey: Hex;
  artifacts: Artifacts;
  logger: Logger;
  /** Defaults to the node's {@link deployPlan}. */
  plan?: DeployStep[];
}

/** Hash of the steps (name, contract) and each contract's creation bytecode. */
export function computePlanHash(plan: DeployStep[], artifacts: Artifacts): string {
  const parts = plan.map((step) => [step.name, step.contract, keccak256(getArtifact(artifacts, step.contract).bytecode)]);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Asks the endpoint for its chain id; a clear error when it does not answer. */
export async function fetchChainId(rpcUrl: string): Promise<number> {
  try {
    return await createPublicClient({ transport: http(rpcUrl, { timeout: 10_000, retryCount: 2 }) }).getChainId();
  } catch (err) {
    const where = redactRpcUrl(rpcUrl);
    throw new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `The chain at ${where} does not answer: ${shortMessage(err)}`, { details: { rpcUrl: where }, cause: err });
  }
}

export async function deployContracts(opts: DeployOptions): Promise<Deployment> {
  const plan = opts.plan ?? deployPlan;
  const log = opts.logger.child({ component: 'deploy' });
  const names = new Set<string>();
  for (const step of plan) {
    if (names.has(step.name)) throw new OdmError('ODM_ERR_CONTRACT_DEPLOY', `The deploy plan names ${step.name} twice`, { details: { step: step.name } });
    names.add(step.name);
    checkDeployable(opts.artifacts, step);
  }
  const planHash = computePlanHash(plan, opts.artifacts);
  const account = accountFromKey(opts.privateKey);
  const chainId = await fetchChainId(opts.rpcUrl);
  const { publicClient, walletClient } = createChainClients({ rpcUrl: opts.rpcUrl, chainId, privateKey: opts.privateKey });
  const ctx: DeployContext = {
    publicClient,
    walletClient,
    account: account.address,
    contracts: {},
    artifacts: opts.artifacts,
    chainId,
    logger: log,
  };

  let firstBlock: bigint | undefined;
  log.info({ chainId, deployer: account.address, steps: plan.map((s) => s.name) }, 'deploying contracts');
  for (const step of plan) {
    const artifact = getArtifact(opts.artifacts, step.contract);
    try {
      const args = await step.args(ctx);
      const hash = await walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
      if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`deployment transaction ${hash} reverted`);
      firstBlock ??= receipt.blockNumber;
      const address = getAddress(receipt.contractAddress); // checksummed, as everywhere else
      ctx.contracts[step.name] = address;
      log.info({ step: step.name, address, block: receipt.blockNumber.toString() }, 'contract deployed');
      if (step.after) await step.after(ctx, address);
    } catch (err) {
      if (err instanceof OdmError) throw err;
      throw new OdmError('ODM_ERR_CONTRACT_DEPLOY', `Deploying ${step.name} failed: ${shortMessage(err)}`, {
        details: { step: step.name, contract: step.contract, chainId, deployed: { ...ctx.contracts } },
        cause: err,
      });
    }
  }

  return {
    chainId,
    deployer: account.address,
    contracts: ctx.contracts,
    blockNumber: (firstBlock ?? (await publicClient.getBlockNumber())).toString(),
    planHash,
  };
}

function checkDeployable(artifacts: Artifacts, step: DeployStep): void {
  const { bytecode } = getArtifact(artifacts, step.contract);
  if (bytecode === '0x') {
    throw new OdmError('ODM_ERR_CONTRACT_DEPLOY', `${step.contract} has no bytecode (an interface or abstract contract) and cannot be deployed`, { details: { step: step.name } });
  }
  if (bytecode.includes('__$')) {
    throw new OdmError('ODM_ERR_CONTRACT_DEPLOY', `${step.contract} needs external libraries linked; make its library functions internal`, { details: { step: step.name } });
  }
}
