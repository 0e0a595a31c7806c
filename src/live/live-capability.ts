// Live streams as a node capability: starts the hub (after identity, licensing and ingest, whose mirrors
// and bus it reads) and makes it reachable from the GraphQL subscription resolvers, which run inside the
// telemetry GraphQL server at /query, through a fastify decorator.
import { getActivityLog } from '../activity/activity-log.ts';
import { OdmError } from '../core/errors.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { Capability } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { nodeAppAccess, type AppAccess } from './app-access.ts';
import { nodeAppAuth, type AppAuth } from './app-auth.ts';
import { LiveHub } from './live-hub.ts';
import { LIVE_HUB_DECORATOR } from './live-schema.ts';

const hubs = new WeakMap<NodeServices, LiveHub>();

/** The node's live hub; ODM_ERR_UNAVAILABLE until the live capability has started. */
export function getLiveHub(services: NodeServices): LiveHub {
  const hub = hubs.get(services);
  if (!hub) throw new OdmError('ODM_ERR_UNAVAILABLE', 'live streams are starting; try again in a moment', { retryable: true });
  return hub;
}

export interface LiveCapabilityOptions {
  /** Token verification; default the node's own (src/api/apps). Tests and benches hand in claims. */
  auth?: (services: NodeServices) => AppAuth;
  access?: (services: NodeServices) => AppAccess;
}

export function createLiveCapability(options: LiveCapabilityOptions = {}): Capability {
  return {
    name: 'live',
    routes(app, ctx) {
      if (!app.hasDecorator(LIVE_HUB_DECORATOR)) app.decorate(LIVE_HUB_DECORATOR, () => getLiveHub(ctx.services()));
    },
    async start(services) {
      const settings = services.config.live ?? {};
      const hub = new LiveHub({
        bus: services.bus,
        access: (options.access ?? nodeAppAccess)(services),
        auth: (options.auth ?? nodeAppAuth)(services),
        catalog: loadDefaultCatalog(),
        clock: services.clock,
        logger: services.logger,
        metrics: services.metrics,
        activity: () => getActivityLog(services),
        ...(settings.bufferSize !== undefined ? { bufferSize: settings.bufferSize } : {}),
        ...(settings.maxStreams !== undefined ? { maxStreams: settings.maxStreams } : {}),
        ...(settings.maxStreamsPerLicense !== undefined ? { maxStreamsPerLicense: settings.maxStreamsPerLicense } : {}),
      });
      hub.start();
      hubs.set(services, hub);
      return {
        stop() {
          hubs.delete(services);
          hub.stop();
        },
      };
    },
  };
}

export const liveCapability = createLiveCapability();
