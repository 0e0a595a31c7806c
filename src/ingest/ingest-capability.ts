// How ingest joins the node: POST /v1/ingest and the owner's privacy routes on the API server, MQTT
// ingest on the embedded broker (hooked) or an external one (consumers), and an optional mTLS listener.
// Signatures are checked against the identity mirror (the identity capability, which starts first).
// By role: the vault and pipeline start in every process that runs this (api reads the vault for
// queries and exports, the indexer leader's connector polling ingests through the pipeline); the ingest
// transports only where the process has the ingest role, the privacy routes only where it has api, and
// compaction only on the leader (on PostgreSQL; see ingest-service.ts).
import { dirname, join, resolve } from 'node:path';
import { getActivityLog } from '../activity/activity-log.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import { OdmError } from '../core/errors.ts';
import { getIdentityLookup } from '../identity/identity-lookup.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import type { EmbeddedBroker } from '../mqtt/embedded-broker.ts';
import type { Capability } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { registerPrivacyRoutes } from '../privacy/privacy-routes.ts';
import { startIngestService, type IngestService } from './ingest-service.ts';
import type { IngestIdentity } from './pipeline/pipeline.ts';
import { registerIngestRoutes } from './transports/http-routes.ts';
import { attachEmbeddedBroker } from './transports/mqtt-embedded.ts';
import { startExternalConsumer } from './transports/mqtt-external.ts';
import { startMtlsServer } from './transports/mtls-server.ts';

export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const running = new WeakMap<NodeServices, IngestService>();

/** The node's ingest service; ODM_ERR_UNAVAILABLE until the capability has started. */
export function getIngestService(services: NodeServices): IngestService {
  const svc = running.get(services);
  if (!svc) throw new OdmError('ODM_ERR_UNAVAILABLE', 'ingest is starting; try again in a moment', { retryable: true });
  return svc;
}

export const ingestCapability: Capability = {
  name: 'ingest',
  // /v1/ingest on ingest processes, the owner's privacy routes on api ones; the vault everywhere.
  serves: ['api', 'ingest'],
  runs: ['api', 'ingest', 'indexer'],

  async routes(app, ctx) {
    const service = () => getIngestService(ctx.services());
    if (ctx.roles.has('ingest')) {
      await registerIngestRoutes(app, {
        pipeline: () => service().pipeline,
        maxRequestBytes: ctx.config.ingest?.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      });
    }
    if (ctx.roles.has('api')) {
      await registerPrivacyRoutes(app, {
        service,
        clock: () => ctx.services().clock,
        ownerFromBearer: async (request) => (await requireOwner(request, ctx.services())).address,
      });
    }
  },

  async start(services) {
    const { config, logger: root } = services;
    const logger = root.child({ component: 'ingest' });
    // Resolved per call: the mirror may reload, and ingest answers 503 while it is not running.
    const identity: IngestIdentity = {
      deviceByAddress: (address) => getIdentityLookup(services).deviceByAddress(address),
      vehicle: (tokenId) => getIdentityLookup(services).vehicle(tokenId),
      deviceByToken: (kind, tokenId) => {
        const index = getIdentityRuntime(services).mirror.index;
        return (kind === 'aftermarket' ? index.aftermarketDevices : index.syntheticDevices).get(tokenId);
      },
    };
    const lower = (name: string) => services.chain.contracts[name]?.toLowerCase();
    const chain = {
      chainId: services.chain.chainId,
      ...(lower('VehicleId') ? { vehicleContract: lower('VehicleId')! } : {}),
      ...(lower('AftermarketDevice') ? { aftermarketContract: lower('AftermarketDevice')! } : {}),
      ...(lower('SyntheticDevice') ? { syntheticContract: lower('SyntheticDevice')! } : {}),
    };
    const ingest = config.ingest ?? {};
    const svc = await startIngestService({
      // The activity log starts after ingest; the retention sweeper asks for it when it deletes.
      activity: () => {
        try {
          return getActivityLog(services);
        } catch {
          return undefined;
        }
      },
      store: services.store,
      kek: services.kek,
      keyringFile: config.vault?.keyringFile ? resolve(config.vault.keyringFile) : join(dirname(config.kekFile), 'vault-keyring.json'),
      identity,
      chain,
      clock: services.clock,
      logger,
      metrics: services.metrics,
      bus: services.bus,
      // Without the ingest role only connector polling verifies signatures: one thread is plenty.
      ...(!services.roles.has('ingest') ? { verifyThreads: 1 } : ingest.verifyThreads ? { verifyThreads: ingest.verifyThreads } : {}),
      ...(ingest.maxClockSkewMs !== undefined ? { maxFutureMs: ingest.maxClockSkewMs } : {}),
      ...(ingest.maxEventAgeDays ? { maxAgeDays: ingest.maxEventAgeDays } : {}),
      ...(ingest.maxInflightEvents ? { maxInflight: ingest.maxInflightEvents } : {}),
      ...(config.vault?.compactIntervalMs !== undefined ? { compactIntervalMs: config.vault.compactIntervalMs } : {}),
      leader: services.leader,
    });
    const stops: Array<() => Promise<void> | void> = [() => svc.close()];
    try {
      const pipeline = () => svc.pipeline;
      if (!services.roles.has('ingest')) {
        // Vault and pipeline only: no MQTT or mTLS ingest here.
      } else if (services.mqtt.kind === 'embedded') {
        stops.push(attachEmbeddedBroker((services.mqtt as EmbeddedBroker).broker, pipeline, logger));
      } else {
        const consumer = await startExternalConsumer({
          url: services.mqtt.url, pipeline, logger,
          ...(ingest.mqttShareGroup ? { shareGroup: ingest.mqttShareGroup } : {}),
          ...(ingest.mqttConsumers ? { consumers: ingest.mqttConsumers } : {}),
        });
        stops.push(() => consumer.stop());
      }
      if (ingest.mtls && services.roles.has('ingest')) {
        const mtls = await startMtlsServer({ ...ingest.mtls, maxRequestBytes: ingest.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, pipeline, logger });
        logger.info({ port: mtls.port }, 'mTLS ingest listening');
        stops.push(() => mtls.stop());
      }
    } catch (err) {
      for (const stop of stops.reverse()) await stop();
      throw err;
    }
    running.set(services, svc);
    return {
      async stop() {
        running.delete(services);
        for (const stop of stops.reverse()) await stop();
      },
    };
  },
};
