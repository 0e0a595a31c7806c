// The licensing mirror as a node capability: follows Licenses, Challenges and DimoPay from the node's
// chain and makes the license gate and authorizeDataAccess available to the rest of the node.
import type { Capability } from '../node/capability.ts';
import { contractAbis } from '../chain/indexer/contract-abis.ts';
import { leadOrFollow } from '../chain/indexer/lead-or-follow.ts';
import { setLicensingMirror } from './licensing-services.ts';
import { LicensingMirror } from './licensing-mirror.ts';

export const licensingCapability: Capability = {
  name: 'licensing',
  serves: ['api'],
  runs: ['api', 'indexer'],
  async start(services) {
    const logger = services.logger.child({ component: 'licensing' });
    const chain = services.chain;
    const abis = await contractAbis({ ...(chain.artifacts ? { artifacts: chain.artifacts } : {}), dataDir: services.config.dataDir, logger });
    const mirror = await LicensingMirror.open({
      store: services.store,
      publicClient: chain.clients.publicClient,
      contracts: chain.contracts,
      abis,
      deploymentBlock: chain.deploymentBlock,
      confirmations: services.config.chain.confirmations,
      logger,
      clock: services.clock,
      metrics: services.metrics,
    }, { follow: !services.leader.isLeader });
    // The leader indexes; every other process follows what it writes (licenses and signers alike).
    const following = await leadOrFollow({ indexer: mirror.indexer, lease: services.leader, store: services.store, logger });
    setLicensingMirror(services, mirror);
    logger.info({ licenses: mirror.index.licenses.size, block: String(mirror.indexer.position.number), leading: following.leading }, 'licensing mirror following the chain');
    return {
      async stop() {
        setLicensingMirror(services, undefined);
        await following.stop();
      },
    };
  },
};
