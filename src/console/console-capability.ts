// The developer and licensing consoles' server side: public license reads (what owners see at opt-in),
// license applications, the licensing team's transactions, challenges and monthly metrics.
import type { Capability } from '../node/capability.ts';
import { licenseRoutes } from './license-routes.ts';
import { licensingTeamRoutes } from './licensing-team-routes.ts';

export const consoleCapability: Capability = {
  name: 'console',
  routes(app, ctx) {
    licenseRoutes(app, ctx);
    licensingTeamRoutes(app, ctx);
  },
};
