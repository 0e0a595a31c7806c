// The identity capability: mirrors vehicle identity and consent from the chain (indexer + in-memory
// index), answers access checks and device lookups for other modules, relays owner-signed actions and
// serves the identity GraphQL.
import type { Capability } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { registerIdentityGraphql } from '../api/identity/identity-graphql.ts';
import { createChainClients, type ChainWalletClient } from '../chain/clients.ts';
import { contractAbis } from '../chain/indexer/contract-abis.ts';
import { leadOrFollow } from '../chain/indexer/lead-or-follow.ts';
import { setAccessCheck } from '../consent/access-check.ts';
import { IdentityMirror } from './identity-mirror.ts';
import { setIdentityLookup } from './identity-lookup.ts';
import { getIdentityRuntime, setIdentityRuntime } from './identity-runtime.ts';
import { relayRoutes } from './relay-routes.ts';
import { Relayer } from './relayer.ts';

/** OPENDIMO_RELAYER_KEY when set; on the embedded chain, its dev wallet; otherwise none. */
function relayerWallet(services: NodeServices): ChainWalletClient | undefined {
  const { config, chain } = services;
  if (config.chain.relayerKey) {
    return createChainClients({ rpcUrl: chain.rpcUrl, chainId: chain.chainId, privateKey: config.chain.relayerKey as `0x${string}` }).walletClient;
  }
  return chain.kind === 'embedded' ? chain.clients.walletClient : undefined;
}

export const identityCapability: Capability = {
  name: 'identity',
  serves: ['api'],
  // Every process needs the mirror (access checks, device lookups); only the leader writes it.
  runs: ['api', 'ingest', 'indexer'],

  async routes(app, ctx) {
    relayRoutes(app, ctx);
    await registerIdentityGraphql(app, () => {
      const services = ctx.services();
      const runtime = getIdentityRuntime(services);
      return { index: runtime.mirror.index, clock: services.clock, chainId: runtime.chainId, contracts: runtime.contracts };
    });
  },

  async start(services) {
    const { chain, config, store, clock, metrics } = services;
    const logger = services.logger.child({ component: 'identity' });
    const abis = await contractAbis({ ...(chain.artifacts ? { artifacts: chain.artifacts } : {}), dataDir: config.dataDir, logger });
    const mirror = await IdentityMirror.open({
      store,
      publicClient: chain.clients.publicClient,
      contracts: chain.contracts,
      abis,
      deploymentBlock: chain.deploymentBlock,
      confirmations: config.chain.confirmations,
      logger,
      clock,
      metrics,
    }, { follow: !services.leader.isLeader });
    // The leader indexes; every other process follows what it writes (same index, same listeners).
    const following = await leadOrFollow({ indexer: mirror.indexer, lease: services.leader, store, logger });
    const wallet = relayerWallet(services);
    const relayer = wallet ? new Relayer({ publicClient: chain.clients.publicClient, walletClient: wallet, contracts: chain.contracts, abis, logger, metrics }) : undefined;
    if (!relayer) logger.warn('no relayer key (OPENDIMO_RELAYER_KEY): the relay endpoints answer ODM_ERR_RELAYER_UNAVAILABLE');
    setIdentityRuntime(services, { mirror, relayer, chainId: chain.chainId, contracts: chain.contracts, confirmations: config.chain.confirmations });
    setIdentityLookup(services, mirror.lookup);
    setAccessCheck(services, mirror.access);
    logger.info({ from: String(mirror.indexer.position.number), vehicles: mirror.index.vehicles.size, relayer: relayer?.address ?? null, leading: following.leading }, 'identity mirror following the chain');
    return {
      async stop() {
        setAccessCheck(services, undefined);
        setIdentityLookup(services, undefined);
        setIdentityRuntime(services, undefined);
        await following.stop();
      },
    };
  },
};
