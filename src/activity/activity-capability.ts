// How the activity log joins the node: it writes under the vault's keys (so it starts after ingest,
// which opens the vault), serves /v1/activity, records grants, revocations and connections from the
// identity mirror's commits, and one `collect` entry per vehicle and minute from stored telemetry.
import { getIngestService } from '../ingest/ingest-capability.ts';
import { getIdentityLookup } from '../identity/identity-lookup.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import type { Capability } from '../node/capability.ts';
import { ActivityJournal } from './activity-journal.ts';
import { setActivityLog } from './activity-log.ts';
import { activityRoutes } from './activity-routes.ts';
import { activityFromChanges } from './chain-activity.ts';
import { startCollectActivity } from './collect-activity.ts';

export const activityCapability: Capability = {
  name: 'activity',
  serves: ['api'],
  runs: ['api', 'indexer'],

  routes(app, ctx) {
    activityRoutes(app, ctx);
  },

  async start(services) {
    const logger = services.logger.child({ component: 'activity' });
    const journal = new ActivityJournal({ store: services.store, vault: getIngestService(services).vault, clock: services.clock, logger, metrics: services.metrics });

    const mirror = getIdentityRuntime(services).mirror;
    const ctx = { ownerOf: (id: bigint) => mirror.index.vehicles.get(id)?.owner, now: () => services.clock.now() };
    const stopChain = mirror.indexer.onCommit((changes, info) => {
      // Another process applied the block and records its activity: each entry is written once per cluster.
      if (info.origin === 'follower') return;
      try {
        const entries = activityFromChanges(changes, info, ctx);
        if (entries.length > 0) journal.appendMany(entries).catch((err: unknown) => logger.error({ err }, 'could not record chain activity'));
      } catch (err) {
        logger.error({ err }, 'could not read chain activity'); // a listener must not throw
      }
    });
    const collect = startCollectActivity({
      bus: services.bus, clock: services.clock, logger, log: journal,
      ownerOf(vehicleId, ownerVersion) {
        const v = getIdentityLookup(services).vehicle(BigInt(vehicleId));
        return v && v.version === ownerVersion ? v.owner : undefined;
      },
    });
    setActivityLog(services, journal);
    return {
      async stop() {
        stopChain();
        await collect.stop();
        setActivityLog(services, undefined);
        await journal.close();
      },
    };
  },
};
