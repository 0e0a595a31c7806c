// Webhooks as a node capability: /v1/webhooks routes, and once the node is up the engine (listening to
// stored telemetry on the bus) and the dispatcher (the durable delivery queue, resumed at start). In a
// cluster every api process runs both: the engine shares the bus's telemetry with the other processes as
// a queue group, and the dispatchers share the queue through leased claims.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { getActivityLog } from '../activity/activity-log.ts';
import { formatAssetDid, parseAssetDid } from '../consent/asset-did.ts';
import { OdmError } from '../core/errors.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import { nodeAppAccess, type AppAccess } from '../live/app-access.ts';
import { nodeAppAuth, type AppAuth } from '../live/app-auth.ts';
import type { Capability } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { createWebhookSealer } from './webhook-sealer.ts';
import { WebhookService, webhookSettings } from './webhook-service.ts';
import { WebhookStore } from './webhook-store.ts';

const services = new WeakMap<NodeServices, WebhookService>();

/** The node's webhooks; ODM_ERR_UNAVAILABLE until the capability has started. */
export function getWebhookService(node: NodeServices): WebhookService {
  const svc = services.get(node);
  if (!svc) throw new OdmError('ODM_ERR_UNAVAILABLE', 'webhooks are starting; try again in a moment', { retryable: true });
  return svc;
}

export interface WebhookCapabilityOptions {
  auth?: (services: NodeServices) => AppAuth;
  access?: (services: NodeServices) => AppAccess;
}

function assetParser(node: NodeServices): (asset: string) => bigint {
  return (asset) => {
    if (/^\d{1,78}$/.test(asset)) return BigInt(asset);
    const ref = parseAssetDid(asset);
    const contract = node.chain.contracts.VehicleId?.toLowerCase();
    if (ref.chainId !== node.chain.chainId || ref.contract.toLowerCase() !== contract) {
      throw new OdmError('ODM_ERR_ASSET_NOT_SUPPORTED', 'the asset is not a vehicle of this network', { status: 400, details: { asset: asset.slice(0, 200) } });
    }
    return ref.tokenId;
  };
}

export function createWebhookCapability(options: WebhookCapabilityOptions = {}): Capability {
  return {
    name: 'webhooks',
    serves: ['api'],
    routes(app, ctx) {
      webhookRoutes(app, {
        service: () => getWebhookService(ctx.services()),
        developer: (token) => (options.auth ?? nodeAppAuth)(ctx.services()).verifyDeveloperToken(token),
      });
    },
    async start(node) {
      const contract = node.chain.contracts.VehicleId;
      const svc = new WebhookService({
        store: new WebhookStore(node.store.db),
        sealer: createWebhookSealer(node.kek),
        access: (options.access ?? nodeAppAccess)(node),
        bus: node.bus,
        catalog: loadDefaultCatalog(),
        clock: node.clock,
        logger: node.logger,
        metrics: node.metrics,
        activity: () => getActivityLog(node),
        settings: webhookSettings(node.config),
        assetDid: (vehicleId) => (contract ? formatAssetDid({ chainId: node.chain.chainId, contract, tokenId: vehicleId }) : `did:erc721:${node.chain.chainId}:unknown:${vehicleId}`),
        parseAsset: assetParser(node),
        instanceId: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
        producer: () => {
          const a = node.http.server.address();
          return typeof a === 'object' && a ? `http://${node.config.http.host}:${a.port}` : 'opendimo';
        },
      });
      await svc.start();
      services.set(node, svc);
      return {
        async stop() {
          services.delete(node);
          await svc.stop();
        },
      };
    },
  };
}

export const webhookCapability = createWebhookCapability();
