// Licensing metrics as a node capability:
//   GET /v1/metrics/licensing?month=YYYY-MM   (public; default: the month under way)
//     → {month, from, to, asOf, final, publishedAt, definitions, usersPerClient, optedInUsersPerNode,
//        usersPerApp, licensedParties: [{licenseId, kind, status, businessName, dba, website, supportEmail…}],
//        decisions: [{at, decision, licenseId, businessName, status, reason, by, txHash…}], totals}
// It follows the licensing decisions on chain with its own indexer and freezes each month once over.
import { contractAbis } from '../../chain/indexer/contract-abis.ts';
import type { ChainIndexer } from '../../chain/indexer/chain-indexer.ts';
import { leadOrFollow } from '../../chain/indexer/lead-or-follow.ts';
import { OdmError } from '../../core/errors.ts';
import { getIdentityRuntime } from '../../identity/identity-runtime.ts';
import type { Capability } from '../../node/capability.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getLicensingMirror } from '../licensing-services.ts';
import { createDecisionIndexer } from './decision-log.ts';
import { LicensingMetricsService } from './metrics-service.ts';

const running = new WeakMap<NodeServices, { metrics: LicensingMetricsService; indexer: ChainIndexer }>();

export function getLicensingMetrics(services: NodeServices): { metrics: LicensingMetricsService; indexer: ChainIndexer } {
  const hit = running.get(services);
  if (!hit) throw new OdmError('ODM_ERR_UNAVAILABLE', 'licensing metrics are starting; try again in a moment', { retryable: true });
  return hit;
}

export const licensingMetricsCapability: Capability = {
  name: 'licensing-metrics',
  serves: ['api'],
  runs: ['api', 'indexer'],
  routes(app, ctx) {
    app.get('/v1/metrics/licensing', async (request) => {
      const month = (request.query as { month?: unknown }).month;
      if (month !== undefined && typeof month !== 'string') throw new OdmError('ODM_ERR_VALIDATION', 'month must be YYYY-MM');
      return getLicensingMetrics(ctx.services()).metrics.month(month);
    });
  },
  async start(services) {
    const logger = services.logger.child({ component: 'licensing-metrics' });
    const chain = services.chain;
    const abis = await contractAbis({ ...(chain.artifacts ? { artifacts: chain.artifacts } : {}), dataDir: services.config.dataDir, logger });
    const indexer = createDecisionIndexer({
      store: services.store, publicClient: chain.clients.publicClient, contracts: chain.contracts, abis, deploymentBlock: chain.deploymentBlock,
      confirmations: services.config.chain.confirmations, logger, clock: services.clock,
    });
    const metrics = new LicensingMetricsService({
      store: services.store, clock: services.clock,
      licensing: () => getLicensingMirror(services).index,
      identity: () => getIdentityRuntime(services).mirror.index,
    });
    // Only the leader indexes the decisions and freezes months; the others read what it wrote.
    let timer: NodeJS.Timeout | undefined;
    const onLeading = (leading: boolean): void => {
      clearInterval(timer);
      timer = undefined;
      if (!leading) return;
      timer = setInterval(() => {
        metrics.freezeDue().catch((err: unknown) => logger.warn({ reason: err instanceof Error ? err.message : String(err) }, 'freezing last month\'s licensing metrics failed; will retry'));
      }, 3_600_000);
      timer.unref();
    };
    const following = await leadOrFollow({ indexer, lease: services.leader, store: services.store, logger, onLeading });
    running.set(services, { metrics, indexer });
    return {
      async stop() {
        running.delete(services);
        await following.stop();
        clearInterval(timer);
      },
    };
  },
};
