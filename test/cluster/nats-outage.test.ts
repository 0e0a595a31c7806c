// Cluster fault: nats-server is stopped for 30 s under HTTP load. Ingest keeps acknowledging (the durable
// write is the store, not the bus), the processes report the bus down and then up again once it returns
// (the outbox catches the bus up), a live subscription and a webhook on the api process (fed through
// NATS by the ingest processes) deliver again afterwards, and every acknowledged event is in the vault
// exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Receiver } from '../../src/webhooks/testing.ts';
import { startAppClient } from './support/app-client.ts';
import { clusterForTest, eventually, health, waitAllHealthy } from './support/cluster-fixture.ts';
import { mintFleet, waitFleetAccepted } from './support/fleet.ts';
import { startLoad } from './support/load.ts';
import { assertNothingLost } from './support/vault-check.ts';

const OUTAGE_MS = 30_000;

test('NATS down for 30 s under load: ingest keeps acknowledging, nothing acknowledged is lost, live and webhooks resume', { timeout: 300_000 }, async (t) => {
  const cluster = await clusterForTest(t, { ingest: 2, env: { OPENDIMO_WEBHOOK_ALLOW_HTTP: 'true', OPENDIMO_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  if (!cluster) return;
  const fleet = await mintFleet(cluster, 8, 'natsdown');
  const probes: string[] = [];
  for (const p of cluster.byRole('ingest')) probes.push(...(await waitFleetAccepted(fleet, p.url)));

  // An app with a live stream and a webhook on the first fleet vehicle, both served by the api process.
  const api = cluster.byRole('api')[0]!;
  const app = await startAppClient(fleet.chain, api.url);
  const vehicle = fleet.devices[0]!.vehicleTokenId;
  await fleet.chain.grant(fleet.chain.actors.alice, vehicle, app.holder.address, [1, 6]);
  const dev = await app.developerToken();
  const vehicleToken = await app.vehicleToken(dev, vehicle, [1, 6]);
  let liveUpdates = 0;
  const live = app.live(vehicleToken, vehicle, () => liveUpdates++);
  t.after(() => live.client.dispose());
  const receiver = await new Receiver().start();
  t.after(() => receiver.stop());
  const created = await app.http('POST', '/v1/webhooks', dev, {
    service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 0', coolDownPeriod: 0,
    targetURL: receiver.url, status: 'enabled', verificationToken: receiver.verificationToken,
  });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const did = `did:erc721:${cluster.chain.chainId}:${fleet.chain.contracts.VehicleId}:${vehicle}`;
  const subscribed = await app.http('POST', `/v1/webhooks/${created.json.id}/subscribe/${did}`, dev);
  assert.equal(subscribed.status, 201, JSON.stringify(subscribed.json));

  // Paced: the load runs through the whole outage.
  const load = startLoad({ fleet, urls: () => cluster.urls.ingest, prefix: 'nats', senders: 2, pauseMs: 50 });
  try {
    await eventually('live and webhook deliveries before the outage', 30_000, async () => liveUpdates > 0 && receiver.deliveries.length > 0);
    await load.waitForMore(300, 60_000);
    await cluster.nats.stop();
    const before = load.progress().acked;
    t.diagnostic(`nats-server stopped after ${before} acknowledged, ${liveUpdates} live updates, ${receiver.deliveries.length} webhook deliveries`);
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    const busDown = await Promise.all(cluster.processes.map((p) => health(p.url)));
    const midway = load.progress().acked;
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    const during = load.progress().acked - before;
    t.diagnostic(`acknowledged during the outage: ${during} (${midway - before} in its first half)`);
    t.diagnostic(`bus health midway: ${cluster.processes.map((p, i) => `${p.name}=${busDown[i]?.checks.bus?.detail ?? 'no answer'}`).join('; ')}`);
    // Otherwise the processes are not on NATS at all and this test proves nothing.
    assert.ok(busDown.some((b) => b?.checks.bus?.ok === false), 'the processes notice the bus is down');
    assert.ok(midway - before > 0 && during > midway - before, `ingest acknowledged throughout the outage (${midway - before} then ${during - (midway - before)})`);

    const [liveAtReturn, hooksAtReturn] = [liveUpdates, receiver.deliveries.length];
    await cluster.nats.restart();
    const returnedAt = Date.now();
    await load.waitForMore(300, 30_000);
    await waitAllHealthy(cluster, 'every process healthy again (bus reconnected)', 30_000);
    await eventually('the live subscription delivers again', 30_000, async () => liveUpdates > liveAtReturn);
    await eventually('the webhook delivers again', 30_000, async () => receiver.deliveries.length > hooksAtReturn);
    t.diagnostic(`live and webhooks resumed within ${Date.now() - returnedAt} ms of NATS returning (live ${liveAtReturn} → ${liveUpdates}, webhook ${hooksAtReturn} → ${receiver.deliveries.length})`);
    assert.deepEqual(live.errors, [], 'the live subscription stayed open through the outage');
  } finally {
    await load.stop();
  }

  await assertNothingLost(t, cluster, fleet, load, probes);
});
