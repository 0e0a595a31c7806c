// A capability is one feature of the node (identity mirror, ingest, app access…). It may add HTTP routes
// and may run background work. Routes are registered before the server listens (Fastify cannot add
// them later), so handlers reach the node's services through `services()`, which answers
// ODM_ERR_UNAVAILABLE while the node is still starting.
import type { FastifyInstance } from 'fastify';
import type { Role } from '../cluster/roles.ts';
import type { NodeConfig } from '../config/schema.ts';
import type { NodeServices } from './start-node.ts';

export interface CapabilityContext {
  /** This process's roles and configuration, known before the services are. */
  roles: ReadonlySet<Role>;
  config: NodeConfig;
  /** The node's services; throws ODM_ERR_UNAVAILABLE (503) until every component is up. */
  services(): NodeServices;
}

export interface RunningCapability {
  stop(): Promise<void> | void;
}

export interface Capability {
  name: string;
  /** Roles whose processes serve its routes (default api). */
  serves?: readonly Role[];
  /** Roles whose processes run its start() (default: those it serves). Leader-only work checks services.leader. */
  runs?: readonly Role[];
  routes?(app: FastifyInstance, ctx: CapabilityContext): Promise<void> | void;
  /** Runs once every component is up; what it returns is stopped before the components are. */
  start?(services: NodeServices): Promise<RunningCapability | void>;
}

/** Whether a process with `roles` registers the capability's routes and runs its start(). */
export function capabilityParts(capability: Capability, roles: ReadonlySet<Role>): { routes: boolean; start: boolean } {
  const serves = capability.serves ?? ['api'];
  const runs = capability.runs ?? serves;
  return { routes: serves.some((r) => roles.has(r)), start: runs.some((r) => roles.has(r)) };
}
