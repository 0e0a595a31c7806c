// `opendimo chain deploy --rpc <url>`: compile and deploy the contracts to any EVM chain, for operators
// who run the node against a real network. The CLI reads the key from OPENDIMO_DEPLOYER_KEY.
import type { Hex } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { accountFromKey, redactRpcUrl } from './clients.ts';
import { compileContracts } from './compile.ts';
import { deployContracts, type Deployment } from './deploy.ts';
import type { DeployStep } from './deploy-types.ts';
import { saveDeployment } from './deployment-file.ts';

export interface DeployCommandOptions {
  rpcUrl: string;
  privateKey: Hex;
  logger: Logger;
  cacheDir: string;
  /** Also record the deployment in this file (the node reads it via OPENDIMO_DEPLOYMENT_FILE). */
  out?: string;
  /** Defaults to `<repo>/contracts`. */
  contractsDir?: string;
  /** Defaults to the node's deploy plan. */
  plan?: DeployStep[];
}

export async function runDeployCommand(opts: DeployCommandOptions): Promise<Deployment> {
  checkRpcUrl(opts.rpcUrl);
  const account = accountFromKey(opts.privateKey); // validates before any slow work
  opts.logger.info({ rpcUrl: redactRpcUrl(opts.rpcUrl), deployer: account.address }, 'deploying the opendimo contracts');
  const artifacts = await compileContracts({
    logger: opts.logger,
    cacheDir: opts.cacheDir,
    ...(opts.contractsDir ? { contractsDir: opts.contractsDir } : {}),
  });
  const deployment = await deployContracts({
    rpcUrl: opts.rpcUrl,
    privateKey: opts.privateKey,
    artifacts,
    logger: opts.logger,
    ...(opts.plan ? { plan: opts.plan } : {}),
  });
  if (opts.out) await saveDeployment(opts.out, deployment);
  return deployment;
}

function checkRpcUrl(rpcUrl: string): void {
  let url: URL | undefined;
  try {
    url = new URL(rpcUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `--rpc must be an http(s) JSON-RPC URL, got "${redactRpcUrl(rpcUrl)}"`, { details: { rpcUrl: redactRpcUrl(rpcUrl) } });
  }
}
