// What the telemetry GraphQL runs for one node: the vault view with its cache, the recent-values
// overlay, the signal fields of the catalogue and the query limits. Set by the app-access capability.
import { OdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { RecentLatest } from './recent-latest.ts';
import type { SignalField } from './signal-fields.ts';
import type { TelemetryView } from './telemetry-view.ts';

export interface TelemetryRuntime {
  view: TelemetryView;
  recent: RecentLatest;
  fields: ReadonlyMap<string, SignalField>;
  maxCost: number;
}

const runtimes = new WeakMap<NodeServices, TelemetryRuntime>();

export function setTelemetryRuntime(services: NodeServices, rt: TelemetryRuntime | undefined): void {
  if (rt) runtimes.set(services, rt);
  else runtimes.delete(services);
}

export function getTelemetryRuntime(services: NodeServices): TelemetryRuntime {
  const rt = runtimes.get(services);
  if (!rt) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the telemetry API is starting; try again in a moment', { retryable: true });
  return rt;
}
