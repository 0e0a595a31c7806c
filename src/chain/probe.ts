// Health of the chain for GET /health: the endpoint answers, is the expected chain, and our contracts are there.
import type { Address } from 'viem';
import type { HealthProbe } from '../core/health.ts';
import type { ChainPublicClient } from './clients.ts';
import type { Deployment } from './deploy.ts';
import { shortMessage } from './deploy-tx.ts';

/** What the probe checks: a Deployment, or any record with its chain id and contract addresses. */
export type ProbedDeployment = Pick<Deployment, 'chainId'> & { contracts: Record<string, string> } & Partial<Omit<Deployment, 'chainId' | 'contracts'>>;

export function chainProbe(publicClient: ChainPublicClient, deployment?: ProbedDeployment): HealthProbe {
  return async () => {
    try {
      const entries = Object.entries(deployment?.contracts ?? {});
      const [block, chainId, codes] = await Promise.all([
        publicClient.getBlockNumber({ cacheTime: 0 }),
        publicClient.getChainId(),
        Promise.all(entries.map(([, address]) => publicClient.getCode({ address: address as Address }))),
      ]);
      const detail = `block ${block}, chain ${chainId}`;
      if (deployment && chainId !== deployment.chainId) {
        return { ok: false, detail: `${detail}: expected chain ${deployment.chainId}` };
      }
      const missing = entries.filter((_, i) => !codes[i] || codes[i] === '0x').map(([name]) => name);
      if (missing.length > 0) return { ok: false, detail: `${detail}: no contract code for ${missing.join(', ')}` };
      return { ok: true, detail };
    } catch (err) {
      return { ok: false, detail: `chain unreachable: ${shortMessage(err)}` };
    }
  };
}
