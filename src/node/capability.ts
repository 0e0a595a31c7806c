// A capability is one feature of the node (identity mirror, ingest, app access…). It may add HTTP routes
// and may run background work. Routes are registered before the server listens (Fastify cannot add
// them later), so handlers reach the node's services through `services()`, which answers
// ODM_ERR_UNAVAILABLE while the node is still starting.
import type { FastifyInstance } from 'fastify';
import type { NodeServices } from './start-node.ts';

export interface CapabilityContext {
  /** The node's services; throws ODM_ERR_UNAVAILABLE (503) until every component is up. */
  services(): NodeServices;
}

export interface RunningCapability {
  stop(): Promise<void> | void;
}

export interface Capability {
  name: string;
  routes?(app: FastifyInstance, ctx: CapabilityContext): Promise<void> | void;
  /** Runs once every component is up; what it returns is stopped before the components are. */
  start?(services: NodeServices): Promise<RunningCapability | void>;
}
