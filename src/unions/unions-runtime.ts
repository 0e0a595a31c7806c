// What the unions capability runs for one node, reachable from its routes and from the rewards module.
import { OdmError } from '../core/errors.ts';
import type { NodeServices } from '../node/start-node.ts';
import type { AggregateService } from './aggregates/aggregate-service.ts';
import type { ReleaseStore } from './aggregates/release-store.ts';
import type { UnionMemberships } from './union-memberships.ts';

export interface UnionsRuntime {
  memberships: UnionMemberships;
  aggregates: AggregateService;
  releases: ReleaseStore;
}

const runtimes = new WeakMap<NodeServices, UnionsRuntime>();

export function setUnionsRuntime(services: NodeServices, runtime: UnionsRuntime | undefined): void {
  if (runtime) runtimes.set(services, runtime);
  else runtimes.delete(services);
}

/** ODM_ERR_UNAVAILABLE (503) until the unions capability has started. */
export function getUnionsRuntime(services: NodeServices): UnionsRuntime {
  const rt = runtimes.get(services);
  if (!rt) throw new OdmError('ODM_ERR_UNAVAILABLE', 'data unions are starting; try again in a moment', { retryable: true });
  return rt;
}

export const DEFAULT_K = 25;
export const DEFAULT_H3_RESOLUTION = 5;
