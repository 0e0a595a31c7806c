// Cluster fault: PostgreSQL is restarted under HTTP load. The node processes reconnect by themselves
// (no operator action): their /health is ok again, ingest acknowledges again, and every event
// acknowledged before, during or after the restart is in the vault exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterForTest, eventually, health, waitAllHealthy } from './support/cluster-fixture.ts';
import { mintFleet, waitFleetAccepted } from './support/fleet.ts';
import { startLoad } from './support/load.ts';
import { assertNothingLost } from './support/vault-check.ts';

test('a PostgreSQL restart under load: processes reconnect, load resumes, nothing acknowledged is lost', { timeout: 240_000 }, async (t) => {
  const cluster = await clusterForTest(t, { ingest: 2 });
  if (!cluster) return;
  const fleet = await mintFleet(cluster, 8, 'pgrestart');
  const probes: string[] = [];
  for (const p of cluster.byRole('ingest')) probes.push(...(await waitFleetAccepted(fleet, p.url)));

  const load = startLoad({ fleet, urls: () => cluster.urls.ingest, prefix: 'pg' });
  try {
    await load.waitForMore(500, 60_000);
    await cluster.postgres.halt();
    const downAt = Date.now();
    // Down long enough for every process to notice (pools lose their connections, probes fail).
    await eventually('a process reports the database down', 15_000, async () => {
      const bodies = await Promise.all(cluster.processes.map((p) => health(p.url)));
      return bodies.some((b) => b?.checks.db?.ok === false);
    });
    await new Promise((r) => setTimeout(r, 2_000));
    await cluster.postgres.start();
    t.diagnostic(`PostgreSQL down for ${Date.now() - downAt} ms, ${load.progress().acked} acknowledged so far`);
    const restartedAt = Date.now();
    await load.waitForMore(500, 30_000);
    t.diagnostic(`load resumed ${load.progress().lastAckAt - restartedAt} ms after the restart`);
    await waitAllHealthy(cluster, 'every process healthy again', 30_000);
    for (const p of cluster.processes) assert.ok(p.running(), `${p.name} still runs (it reconnected rather than exited)`);
  } finally {
    await load.stop();
  }

  await assertNothingLost(t, cluster, fleet, load, probes);
});
