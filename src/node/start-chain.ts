// The node's chain: embedded anvil with contracts deployed on first start, or an external JSON-RPC
// endpoint with the addresses the operator deployed (`opendimo chain deploy`).
import type { Address } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { HealthProbe } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import type { NodeConfig } from '../config/schema.ts';
import type { Artifacts } from '../chain/artifacts.ts';
import { createChainClients } from '../chain/clients.ts';
import { startEmbeddedChain } from '../chain/embedded.ts';
import { chainProbe } from '../chain/probe.ts';

export interface ChainService {
  kind: 'embedded' | 'external';
  rpcUrl: string;
  chainId: number;
  contracts: Record<string, Address>;
  /** Block the contracts were deployed at: where indexers start. */
  deploymentBlock: bigint;
  clients: ReturnType<typeof createChainClients>;
  /** Compiled contracts (ABIs for decoding events); present for the embedded chain, which compiled them. */
  artifacts?: Artifacts;
  probe: HealthProbe;
  stop(): Promise<void>;
}

export async function startChain(config: NodeConfig, logger: Logger): Promise<ChainService> {
  const external = config.chain.rpcUrl;
  if (!external) {
    const embedded = await startEmbeddedChain({ dataDir: config.dataDir, logger, ...(config.chain.port ? { port: config.chain.port } : {}) });
    return {
      kind: 'embedded',
      rpcUrl: embedded.anvil.rpcUrl,
      chainId: embedded.anvil.chainId,
      contracts: embedded.deployment.contracts as Record<string, Address>,
      deploymentBlock: BigInt(embedded.deployment.blockNumber),
      clients: embedded.clients,
      artifacts: embedded.artifacts,
      probe: chainProbe(embedded.clients.publicClient, embedded.deployment),
      stop: () => embedded.stop(),
    };
  }

  const deployment = config.chain.deployment!; // the config schema requires it with an RPC URL
  const clients = createChainClients({ rpcUrl: external, chainId: deployment.chainId });
  let actual: number;
  try {
    actual = await clients.publicClient.getChainId();
  } catch (err) {
    throw new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', 'the chain at OPENDIMO_RPC_URL does not answer', { cause: err });
  }
  if (actual !== deployment.chainId) {
    throw new OdmError(
      'ODM_ERR_CONFIG_INVALID',
      `OPENDIMO_RPC_URL serves chain ${actual} but the deployment file is for chain ${deployment.chainId}`,
      { details: { rpcChainId: actual, deploymentChainId: deployment.chainId } },
    );
  }
  return {
    kind: 'external',
    rpcUrl: external,
    chainId: deployment.chainId,
    contracts: deployment.contracts as Record<string, Address>,
    deploymentBlock: BigInt(deployment.blockNumber),
    clients,
    probe: chainProbe(clients.publicClient, deployment),
    stop: async () => {},
  };
}
