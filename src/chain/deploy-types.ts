// Shapes shared by the deploy plan, its transaction helpers and the deployer.
import type { Address } from 'viem';
import type { Logger } from '../core/logger.ts';
import type { Artifacts } from './artifacts.ts';
import type { ChainPublicClient, ChainWalletClient } from './clients.ts';

export interface DeployContext {
  publicClient: ChainPublicClient;
  walletClient: ChainWalletClient;
  /** The deployer: it pays for the deployment and is the admin handed to contracts. */
  account: Address;
  /** Step name → address, for every step deployed so far (in plan order). */
  contracts: Record<string, Address>;
  artifacts: Artifacts;
  chainId: number;
  logger: Logger;
}

export interface DeployStep {
  /** Key in the deployment's `contracts` map; unique within the plan. */
  name: string;
  /** Artifact (contract) name to deploy. */
  contract: string;
  /** Constructor arguments; may use addresses of earlier steps from `ctx.contracts`. */
  args(ctx: DeployContext): unknown[] | Promise<unknown[]>;
  /** Wiring after the contract is deployed (grant roles, register with earlier contracts…). */
  after?(ctx: DeployContext, address: Address): Promise<void>;
}
