// How the OEM connectors join the node: the onboarding, owner-control and command routes; at start, the
// OEM settings (config, or the embedded emulator in dev mode), the sealed device seed, the node's
// connection NFTs, and the polling runtime feeding the ingest pipeline with signed records.
import type { Capability } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { pollWhileLeader } from './scheduling/leader-polling.ts';
import { getIngestService } from '../ingest/ingest-capability.ts';
import type { CommandOptions } from './commands/vehicle-commands.ts';
import { registerConnectorRoutes } from './connector-routes.ts';
import { setConnectors, type ConnectorsContext } from './connectors-context.ts';
import { OemHttp } from './http/oem-http.ts';
import { recordActivity } from './owner-activity.ts';
import { ConnectorChain } from './onboarding/connector-chain.ts';
import { ConnectorRuntime, type ConnectorRuntimeOptions } from './scheduling/connector-runtime.ts';
import { resolveSettings } from './settings.ts';
import { DeviceKeys } from './signing/device-keys.ts';
import { StatusEmitter } from './signing/status-emitter.ts';
import { SmartcarApi } from './smartcar/smartcar-api.ts';
import { ConnectorStore, type Oem } from './store/connector-store.ts';
import { TeslaApi } from './tesla/tesla-api.ts';
import { ConnectorSealing } from './tokens/sealing.ts';

export interface ConnectorsCapabilityOptions {
  /** Tests on a manual clock: no real timers, they call `getConnectors(services).runtime.runDue()`. */
  manualScheduling?: boolean;
  cadence?: ConnectorRuntimeOptions['cadence'];
  random?: () => number;
  commands?: CommandOptions;
}

export function createConnectorsCapability(options: ConnectorsCapabilityOptions = {}): Capability {
  return {
    name: 'connectors',
    serves: ['api'],
    // Polling runs on the leader only.
    runs: ['api', 'indexer'],

    async routes(app, ctx) {
      await registerConnectorRoutes(app, () => ctx.services(), { ...(options.commands ? { commands: options.commands } : {}) });
    },

    async start(services: NodeServices) {
      const logger = services.logger.child({ component: 'connectors' });
      const settings = await resolveSettings(services, logger);
      const store = new ConnectorStore(services.store.db);
      const sealing = new ConnectorSealing(services.kek);
      const keys = await DeviceKeys.open(services.store, sealing, services.clock);
      const http = new OemHttp({ maxSockets: Math.max(16, Math.min(1024, settings.concurrency)) });
      const apis = {
        ...(settings.tesla ? { tesla: new TeslaApi(http, settings.tesla) } : {}),
        ...(settings.smartcar ? { smartcar: new SmartcarApi(http, settings.smartcar) } : {}),
      };
      const chain = new ConnectorChain(services, logger);
      const oems = Object.keys(apis) as Oem[];
      try {
        await chain.ensureConnections(oems);
      } catch (err) {
        logger.warn({ err }, 'could not set up the node\'s connection NFTs; onboarding answers ODM_ERR_RELAYER_UNAVAILABLE');
      }
      const contracts = services.chain.contracts;
      const emitter = new StatusEmitter({
        keys,
        chainId: services.chain.chainId,
        vehicleContract: contracts.VehicleId ?? '0x0000000000000000000000000000000000000000',
        deviceContract: contracts.SyntheticDevice ?? '0x0000000000000000000000000000000000000000',
        source: chain.relayerAddress ?? 'opendimo-connectors',
        // The connectors are a trusted in-process transport; `http` is the closest the pipeline names.
        ingest: (docs) => getIngestService(services).pipeline.ingest(docs, { transport: 'http' }),
      });
      const runtime = new ConnectorRuntime({
        store, sealing, keys, clock: services.clock, logger, metrics: services.metrics, apis, emitter,
        concurrency: settings.concurrency,
        realTimers: !options.manualScheduling,
        ...(options.cadence ? { cadence: options.cadence } : {}),
        ...(options.random ? { random: options.random } : {}),
        notifyReauth: async (account, vehicles, reason) => {
          await recordActivity(services, logger, {
            owner: account.owner, kind: 'disconnect',
            detail: { event: 'oem login expired', oem: account.oem, reason, action: `log in to ${account.oem} again to resume`, connections: vehicles.map((v) => v.connection_id) },
          });
        },
      });
      const pollsHere = () => settings.polling && services.leader.isLeader;
      const ctx: ConnectorsContext = { services, logger, clock: services.clock, settings, store, sealing, keys, http, apis, runtime, chain, pollsHere };
      setConnectors(services, ctx);
      const polling = settings.polling ? pollWhileLeader({ lease: services.leader, runtime, store, logger }) : undefined;
      await polling?.settled();
      services.health.set('connectors', async () => ({
        ok: true,
        detail: `${oems.length ? oems.join(' and ') : 'no OEM'} configured; ${runtime.vehicles.size} connections polled${settings.polling ? (services.leader.isLeader ? '' : ' (polling on the leader)') : ' (polling off)'}`,
      }));
      logger.info({ oems, polled: runtime.vehicles.size }, 'connectors started');
      return {
        async stop() {
          setConnectors(services, undefined);
          if (polling) await polling.stop();
          else await runtime.stop();
          http.close();
        },
      };
    },
  };
}

export const connectorsCapability = createConnectorsCapability();
