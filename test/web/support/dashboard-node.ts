// A real node for the dashboard's API tests (test/support/http-node.ts) with the identity and licensing
// mirrors, ingest (the vault), owner sign-in, the activity log, app access (developer sign-in, token
// exchange), the dashboard's owner API and consoles, and the web capability serving a small prepared folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { appAccessCapability } from '../../../src/api/apps/app-access-capability.ts';
import { ownerAuthCapability } from '../../../src/api/auth/owner-auth-capability.ts';
import { consoleCapability } from '../../../src/console/console-capability.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../../src/licensing/licensing-services.ts';
import { createOwnersCapability } from '../../../src/owners/owners-capability.ts';
import { createWebCapability } from '../../../src/webapp/web-capability.ts';
import { startHttpNode, type HttpNode } from '../../support/http-node.ts';

export type { HttpAnswer } from '../../support/http-node.ts';

export interface DashboardNode extends HttpNode {
  /** Waits until both mirrors hold every block mined so far. */
  mirrored(): Promise<void>;
}

export async function startDashboardNode(): Promise<DashboardNode> {
  const n = await startHttpNode({
    name: 'dashboard-node',
    async capabilities(dataDir) {
      // A stand-in for web/dist: the routes are what is tested, not the app.
      const dist = join(dataDir, 'web-dist');
      await mkdir(join(dist, 'assets'), { recursive: true });
      await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-abc123.js"></script>');
      await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log("app")');
      return [identityCapability, licensingCapability, ingestCapability, ownerAuthCapability, activityCapability, appAccessCapability, createOwnersCapability(), consoleCapability, createWebCapability({ dist, build: false })];
    },
  });
  return {
    ...n,
    async mirrored() {
      const block = await n.chain.blockNumber();
      await getIdentityRuntime(n.node.services).mirror.indexer.waitFor(block);
      await getLicensingMirror(n.node.services).indexer.waitFor(block);
    },
  };
}
