// A real node for owner tests (test/support/http-node.ts) running identity, ingest (which opens the vault
// the activity log writes under), owner sign-in and the activity log, on a manual clock that starts at
// the wall clock.
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { ownerAuthCapability } from '../../../src/api/auth/owner-auth-capability.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { startHttpNode, type HttpNode } from '../../support/http-node.ts';

export type { HttpAnswer } from '../../support/http-node.ts';

export interface OwnerNode extends HttpNode {
  clock: ManualClock;
  /** Waits until the mirror holds every block mined so far. */
  mirrored(): Promise<void>;
}

export async function startOwnerNode(): Promise<OwnerNode> {
  const clock = new ManualClock(Date.now());
  const n = await startHttpNode({
    name: 'owner-node',
    clock,
    capabilities: () => [identityCapability, ingestCapability, ownerAuthCapability, activityCapability],
  });
  return {
    ...n,
    clock,
    async mirrored() {
      await getIdentityRuntime(n.node.services).mirror.indexer.waitFor(await n.chain.blockNumber());
    },
  };
}
