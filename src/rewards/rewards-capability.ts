// Rewards as a node capability: owners' earnings and every computed week over HTTP. Weeks are computed
// by `opendimo rewards compute --week N` (rewards-runner.ts), which holds the key that posts roots.
import type { Capability } from '../node/capability.ts';
import { rewardsRoutes } from './rewards-routes.ts';

export const rewardsCapability: Capability = {
  name: 'rewards',
  routes(app, ctx) {
    rewardsRoutes(app, ctx);
  },
};
