// The whole path once: a device paired on chain signs an event, the node ingests it over HTTP, and the
// app's telemetry query sees it at once (before compaction, through the recent-values overlay), then in
// the aggregations once compacted.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { keccak256, toHex, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { getIngestService } from '../../src/ingest/ingest-capability.ts';
import { startAppNode, type AppNode } from './support/app-node.ts';

let n: AppNode;
let vid: bigint;
let deviceId: bigint;
let device: PrivateKeyAccount;
let token: string;

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  const lic = await n.appLicense(app);
  vid = await n.mintVehicle(alice);
  const maker = await n.chain.mintManufacturer('AutoPi');
  const ad = await n.chain.mintAftermarket(maker);
  await n.chain.claimAndPair(ad.id, ad.device, alice, vid);
  deviceId = ad.id;
  device = ad.device as PrivateKeyAccount;
  await n.chain.grant(alice, vid, app.address, [1, 4]);
  await n.mirrored();
  token = await n.vehicleToken(await n.developerToken(lic), vid, [1, 4]);
});
after(() => n?.stop());

async function ingest(time: number, speed: number): Promise<void> {
  const c = n.node.services.chain;
  const ts = new Date(time).toISOString();
  const data = JSON.stringify({ signals: [{ name: 'speed', timestamp: ts, value: speed }, { name: 'currentLocationLatitude', timestamp: ts, value: 40.4 }, { name: 'currentLocationLongitude', timestamp: ts, value: -3.7 }] });
  const header = {
    specversion: '1.0', type: 'dimo.status', source: n.chain.actors.provider.address, id: `ev-${time}`, time: ts,
    subject: `did:erc721:${c.chainId}:${c.contracts.VehicleId}:${vid}`,
    producer: `did:erc721:${c.chainId}:${c.contracts.AftermarketDevice}:${deviceId}`,
    datacontenttype: 'application/json', dataversion: 'default/v1.0', signature: await device.sign({ hash: keccak256(toHex(data)) as Hex }),
  };
  const res = await fetch(`${n.baseUrl}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(header).slice(0, -1) + `,"data":${data}}` });
  assert.equal(res.status, 200, await res.text());
}

it('answers signalsLatest with just-ingested data, and aggregates it once compacted', async () => {
  const t = n.clock.now() - 30_000;
  await ingest(t, 88);
  const latest = await n.graphql(token, `{ signalsLatest(tokenId: ${vid}) { lastSeen speed { value } currentLocationCoordinates { value { latitude longitude } } } }`);
  assert.deepEqual(latest.json.data.signalsLatest, { lastSeen: new Date(t).toISOString(), speed: { value: 88 }, currentLocationCoordinates: { value: { latitude: 40.4, longitude: -3.7 } } });

  await getIngestService(n.node.services).vault.flush();
  const from = new Date(t - 60_000).toISOString(), to = new Date(t + 60_000).toISOString();
  const agg = await n.graphql(token, `{ signals(tokenId: ${vid}, interval: "2m", from: "${from}", to: "${to}") { s: speed(agg: MAX) } }`);
  assert.deepEqual(agg.json.data.signals, [{ s: 88 }]);
});
