// Cluster fault: one of two ingest processes is SIGKILLed under HTTP load to both. Devices retry a failed
// batch on the other process. Every acknowledged event must be in the vault afterwards, none twice;
// the killed process, restarted, serves again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterForTest } from './support/cluster-fixture.ts';
import { mintFleet, waitFleetAccepted } from './support/fleet.ts';
import { startLoad } from './support/load.ts';
import { assertNothingLost } from './support/vault-check.ts';

test('SIGKILL of an ingest process under load loses no acknowledged event and stores none twice', { timeout: 240_000 }, async (t) => {
  const cluster = await clusterForTest(t, { ingest: 2 });
  if (!cluster) return;
  const fleet = await mintFleet(cluster, 8, 'kill');
  const [a, b] = cluster.byRole('ingest');
  const probes = [...(await waitFleetAccepted(fleet, a!.url)), ...(await waitFleetAccepted(fleet, b!.url))];

  const load = startLoad({ fleet, urls: () => cluster.urls.ingest, prefix: 'kill' });
  try {
    await load.waitForMore(600, 60_000);
    await a!.kill('SIGKILL');
    t.diagnostic(`killed ${a!.name} after ${load.progress().acked} acknowledged`);
    // The survivor takes all of it: retries of the batches that were in flight included.
    await load.waitForMore(400, 30_000);
    await a!.restart();
    await load.waitForMore(200, 30_000);
  } finally {
    await load.stop();
  }
  assert.ok(load.failures() > 0, 'some posts failed while the process was down (the kill landed under load)');

  await assertNothingLost(t, cluster, fleet, load, probes);
});
