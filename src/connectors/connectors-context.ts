// Everything the connectors' HTTP services share on one node, and where other modules find it.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { NodeServices } from '../node/start-node.ts';
import type { OemHttp } from './http/oem-http.ts';
import type { OemAuthApi } from './oem-types.ts';
import type { ConnectorChain } from './onboarding/connector-chain.ts';
import type { ConnectorRuntime } from './scheduling/connector-runtime.ts';
import type { ConnectorSettings } from './settings.ts';
import type { DeviceKeys } from './signing/device-keys.ts';
import type { SmartcarApi } from './smartcar/smartcar-api.ts';
import type { ConnectorStore, Oem } from './store/connector-store.ts';
import type { TeslaApi } from './tesla/tesla-api.ts';
import type { ConnectorSealing } from './tokens/sealing.ts';

export interface ConnectorsContext {
  services: NodeServices;
  logger: Logger;
  clock: Clock;
  settings: ConnectorSettings;
  store: ConnectorStore;
  sealing: ConnectorSealing;
  keys: DeviceKeys;
  http: OemHttp;
  apis: { tesla?: TeslaApi; smartcar?: SmartcarApi };
  runtime: ConnectorRuntime;
  chain: ConnectorChain;
  /** Whether this process polls (polling on, and the leader of a cluster); elsewhere changes reach the leader through the stored rows. */
  pollsHere(): boolean;
}

export function apiOf(ctx: ConnectorsContext, oem: Oem): OemAuthApi {
  const api = ctx.apis[oem];
  if (!api) throw new OdmError('ODM_ERR_OEM_NOT_CONFIGURED', `${oem} is not configured on this node (set OPENDIMO_${oem.toUpperCase()}_CLIENT_ID and _CLIENT_SECRET)`, { details: { oem } });
  return api;
}

const running = new WeakMap<NodeServices, ConnectorsContext>();

export function setConnectors(services: NodeServices, ctx: ConnectorsContext | undefined): void {
  if (ctx) running.set(services, ctx);
  else running.delete(services);
}

/** The node's connectors; ODM_ERR_UNAVAILABLE until the capability has started. */
export function getConnectors(services: NodeServices): ConnectorsContext {
  const ctx = running.get(services);
  if (!ctx) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the connectors are starting; try again in a moment', { retryable: true });
  return ctx;
}
