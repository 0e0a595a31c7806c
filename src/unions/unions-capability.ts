// Data unions and anonymized aggregates as a node capability: owners' union choices, apps' aggregate
// queries, the release record. Needs identity (vehicles), licensing (the gate), ingest (the vault) and
// the activity log, which start before it.
import type { Capability } from '../node/capability.ts';
import { getActivityLog } from '../activity/activity-log.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import { getIngestService } from '../ingest/ingest-capability.ts';
import { AggregateService } from './aggregates/aggregate-service.ts';
import { aggregateRoutes } from './aggregates/aggregate-routes.ts';
import { aggregateSecrets, ReleaseStore } from './aggregates/release-store.ts';
import { UnionMemberships } from './union-memberships.ts';
import { unionRoutes } from './union-routes.ts';
import { DEFAULT_H3_RESOLUTION, DEFAULT_K, setUnionsRuntime } from './unions-runtime.ts';

export const unionsCapability: Capability = {
  name: 'unions',
  routes(app, ctx) {
    unionRoutes(app, ctx);
    aggregateRoutes(app, ctx);
  },
  async start(services) {
    const cfg = services.config.aggregates ?? {};
    const secrets = aggregateSecrets(services.kek);
    const memberships = new UnionMemberships(services.store, services.clock);
    const releases = new ReleaseStore(services.store, secrets.seal);
    const aggregates = new AggregateService({
      store: services.store,
      clock: services.clock,
      logger: services.logger.child({ component: 'aggregates' }),
      memberships,
      releases,
      noiseSecret: secrets.noise,
      settings: {
        k: cfg.k ?? DEFAULT_K,
        h3Resolution: cfg.h3Resolution ?? DEFAULT_H3_RESOLUTION,
        epsilonFor: (id) => {
          const e = cfg.epsilonByDataset?.[id] ?? cfg.epsilon;
          return e && e > 0 ? e : undefined;
        },
      },
      vehicle: (id) => getIdentityRuntime(services).mirror.index.vehicles.get(BigInt(id)),
      reader: () => getIngestService(services).vault.reader,
      activity: () => {
        try {
          return getActivityLog(services);
        } catch {
          return undefined;
        }
      },
    });
    setUnionsRuntime(services, { memberships, aggregates, releases });
    return { stop: () => setUnionsRuntime(services, undefined) };
  },
};
