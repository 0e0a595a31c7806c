// The chain of `npm start`: anvil with its state in the data dir, the contracts compiled (cached) and
// deployed on first start, and reused on every later start.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { startAnvil, type AnvilHandle } from './anvil.ts';
import type { Artifacts } from './artifacts.ts';
import { createChainClients, type SignerChainClients } from './clients.ts';
import { compileContracts } from './compile.ts';
import { ANVIL_DEV_PRIVATE_KEY, EMBEDDED_CHAIN_ID } from './constants.ts';
import type { Deployment } from './deploy.ts';
import type { DeployStep } from './deploy-types.ts';
import { ensureDeployment } from './deployment-file.ts';

export interface StartEmbeddedChainOptions {
  dataDir: string;
  logger: Logger;
  /** Compile cache; defaults to `<dataDir>/cache`. */
  cacheDir?: string;
  /** Fixed JSON-RPC port (e.g. for a wallet); defaults to a free one. */
  port?: number;
  /** Defaults to `<repo>/contracts`. */
  contractsDir?: string;
  /** Defaults to the node's deploy plan. */
  plan?: DeployStep[];
}

export interface EmbeddedChain {
  anvil: AnvilHandle;
  deployment: Deployment;
  /** Signs as the deployer (anvil dev account 0), which administers the contracts. */
  clients: SignerChainClients;
  artifacts: Artifacts;
  stop(): Promise<void>;
}

/** Paths of the embedded chain's files inside a data dir. */
export function embeddedChainPaths(dataDir: string): { dir: string; stateFile: string; pidFile: string; deploymentFile: string } {
  const dir = join(dataDir, 'chain');
  return { dir, stateFile: join(dir, 'state.json'), pidFile: join(dir, 'anvil.pid'), deploymentFile: join(dir, 'deployment.json') };
}

export async function startEmbeddedChain(opts: StartEmbeddedChainOptions): Promise<EmbeddedChain> {
  const paths = embeddedChainPaths(opts.dataDir);
  await mkdir(paths.dir, { recursive: true });
  // Anvil start-up and compilation (a worker thread) overlap.
  const [anvilResult, artifactsResult] = await Promise.allSettled([
    startAnvil({
      logger: opts.logger,
      chainId: EMBEDDED_CHAIN_ID,
      stateFile: paths.stateFile,
      pidFile: paths.pidFile,
      ...(opts.port === undefined ? {} : { port: opts.port }),
    }),
    compileContracts({
      logger: opts.logger,
      cacheDir: opts.cacheDir ?? join(opts.dataDir, 'cache'),
      ...(opts.contractsDir ? { contractsDir: opts.contractsDir } : {}),
    }),
  ]);
  if (anvilResult.status === 'rejected') throw anvilResult.reason;
  const anvil = anvilResult.value;
  try {
    if (artifactsResult.status === 'rejected') throw artifactsResult.reason;
    const artifacts = artifactsResult.value;
    // The dev key is public (see constants.ts); fine for a loopback-only chain, and never logged.
    const { deployment } = await ensureDeployment({
      file: paths.deploymentFile,
      rpcUrl: anvil.rpcUrl,
      privateKey: ANVIL_DEV_PRIVATE_KEY,
      artifacts,
      logger: opts.logger,
      ...(opts.plan ? { plan: opts.plan } : {}),
    });
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, privateKey: ANVIL_DEV_PRIVATE_KEY });
    return { anvil, deployment, clients, artifacts, stop: () => anvil.stop() };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}
