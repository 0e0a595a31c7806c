// Live streams and webhooks on a real node: a license issued and staked on chain, vehicles minted,
// grants made, revoked and expiring on chain, a graphql-ws client on /query, webhooks over HTTP to a
// loopback receiver, and the owner's activity log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { getIdentityRuntime } from '../../src/identity/identity-runtime.ts';
import { getLiveHub } from '../../src/live/live-capability.ts';
import { storedBatch, type SampleEvent } from '../../src/live/testing.ts';
import { Receiver } from '../../src/webhooks/testing.ts';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/webhooks/webhook-signing.ts';
import { E18, startLiveNode, subscribe, type LiveNode } from './support/live-node.ts';

const QUERY = `subscription ($id: Int!) {
  signals(tokenId: $id) {
    tokenId lastSeen cloudEventId
    speed { timestamp value }
    currentLocationCoordinates { value { latitude longitude } }
    signals { name timestamp valueNumber }
  }
}`;

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('live streams and webhooks on a real node', () => {
  let n: LiveNode;
  let receiver: Receiver;

  before(async () => {
    n = await startLiveNode({ overrides: { 'webhooks.backoffBaseMs': 50 } });
    receiver = await new Receiver().start();
  });
  after(async () => {
    await receiver?.stop();
    await n?.stop();
    await n?.removeData();
  });

  const services = () => n.node.services;
  const publish = (vehicleId: bigint, events: SampleEvent[]) => {
    const version = getIdentityRuntime(services()).mirror.index.vehicles.get(vehicleId)!.version;
    return services().bus.publish(`telemetry.${vehicleId}`, storedBatch(vehicleId, events, version));
  };
  const http = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const res = await fetch(`${n.baseUrl}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  it('streams signals over graphql-ws, filtered by privilege, and closes within 1 s of a revocation on chain', async (t) => {
    const { alice } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(alice);
    await n.chain.grant(alice, vehicle, n.app.address, [1, 6]);
    await n.mirrored();
    const client = n.client(await n.vehicleToken(vehicle, [1, 4, 6]));
    try {
      const sub = subscribe(client, QUERY, { id: Number(vehicle) });
      await until(() => getLiveHub(services()).size === 1);
      const at = Date.UTC(2026, 4, 1, 12);
      await publish(vehicle, [{ time: at, signals: { speed: 88 }, location: [52.52, 13.4] }]);
      const u = await sub.next();
      assert.equal(u.tokenId, Number(vehicle));
      assert.equal(u.lastSeen, '2026-05-01T12:00:00Z');
      assert.deepEqual(u.speed, { timestamp: '2026-05-01T12:00:00Z', value: 88 });
      assert.equal(u.currentLocationCoordinates, null, 'the token carries 4 but the owner granted only 1 and 6');
      assert.deepEqual(u.signals.map((s: { name: string }) => s.name), ['speed']);

      await n.chain.revoke(alice, vehicle, n.app.address);
      const mined = performance.now();
      const errors = await sub.ended;
      const closedMs = sub.endedAt()! - mined;
      assert.equal(errors[0]?.extensions?.code, 'ODM_ERR_CONSENT_MISSING', JSON.stringify(errors));
      assert.ok(closedMs < 1500, `closed ${closedMs.toFixed(0)} ms after the revocation was mined`);
      t.diagnostic(`stream closed ${closedMs.toFixed(0)} ms after the revocation was mined`);
      assert.equal(getLiveHub(services()).size, 0);

      await until(() => false, 50).catch(() => undefined);
      const log = await getActivityLog(services()).list(alice.address, { kinds: ['stream'], order: 'asc' });
      assert.deepEqual(log.entries.map((e) => e.detail?.event), ['open', 'close']);
      assert.equal(log.entries[1]!.detail?.reason, 'ODM_ERR_CONSENT_MISSING');
      assert.equal(log.entries[0]!.app?.licenseId, n.licenseId);
      assert.equal(log.entries[0]!.vehicleId, vehicle.toString());
    } finally {
      await client.dispose();
    }
  });

  it('refuses a stream without privilege 6, in the grant or in the token', async () => {
    const { bob } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(bob);
    await n.chain.grant(bob, vehicle, n.app.address, [1]);
    await n.mirrored();
    for (const [privileges, code] of [[[1, 6], 'ODM_ERR_CONSENT_MISSING'], [[1], 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN']] as const) {
      const client = n.client(await n.vehicleToken(vehicle, [...privileges]));
      try {
        const sub = subscribe(client, QUERY, { id: Number(vehicle) });
        const errors = await sub.ended;
        assert.equal(errors[0]?.extensions?.code, code, JSON.stringify(errors));
      } finally {
        await client.dispose();
      }
    }
    assert.equal(getLiveHub(services()).size, 0);
  });

  it('closes the stream when the grant expires', async (t) => {
    const { carol } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(carol);
    const expiration = (await n.chain.now()) + 3n;
    await n.chain.grant(carol, vehicle, n.app.address, [1, 6], expiration);
    await n.mirrored();
    const client = n.client(await n.vehicleToken(vehicle, [1, 6]));
    try {
      const sub = subscribe(client, QUERY, { id: Number(vehicle) });
      await until(() => getLiveHub(services()).size === 1);
      const errors = await sub.ended;
      assert.equal(errors[0]?.extensions?.code, 'ODM_ERR_CONSENT_MISSING');
      const late = Date.now() - Number(expiration) * 1000;
      assert.ok(late < 1500, `closed ${late} ms after the grant expired`);
      t.diagnostic(`stream closed ${late} ms after the grant expired`);
    } finally {
      await client.dispose();
    }
  });

  it('closes the stream when the vehicle changes hands', async () => {
    const { bob, carol } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(bob);
    await n.chain.grant(bob, vehicle, n.app.address, [1, 6]);
    await n.mirrored();
    const client = n.client(await n.vehicleToken(vehicle, [1, 6]));
    try {
      const sub = subscribe(client, QUERY, { id: Number(vehicle) });
      await until(() => getLiveHub(services()).size === 1);
      await n.chain.transfer(bob, carol.address, vehicle);
      const mined = performance.now();
      assert.equal((await sub.ended)[0]?.extensions?.code, 'ODM_ERR_VEHICLE_TRANSFERRED');
      assert.ok(sub.endedAt()! - mined < 1500);
    } finally {
      await client.dispose();
    }
  });

  it('closes streams when the license is suspended or falls below its stake', async (t) => {
    const { alice, admin } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(alice);
    await n.chain.grant(alice, vehicle, n.app.address, [1, 6]);
    await n.mirrored();
    const open = async () => {
      const client = n.client(await n.vehicleToken(vehicle, [1, 6]));
      const sub = subscribe(client, QUERY, { id: Number(vehicle) });
      await until(() => getLiveHub(services()).size === 1);
      return { client, sub };
    };
    const licenseId = BigInt(n.licenseId);

    const s1 = await open();
    await n.chain.write(admin, 'Licenses', 'suspend', [licenseId, 'test']);
    let mined = performance.now();
    assert.equal((await s1.sub.ended)[0]?.extensions?.code, 'ODM_ERR_LICENSE_SUSPENDED');
    t.diagnostic(`suspension closed the stream ${(s1.sub.endedAt()! - mined).toFixed(0)} ms after it was mined`);
    assert.ok(s1.sub.endedAt()! - mined < 1500);
    await s1.client.dispose();
    await n.chain.write(admin, 'Licenses', 'unsuspend', [licenseId, 'test']);
    await n.mirrored();

    const s2 = await open();
    await n.chain.write(admin, 'Licenses', 'raiseRequirement', [licenseId, 20_000n * E18]);
    mined = performance.now();
    assert.equal((await s2.sub.ended)[0]?.extensions?.code, 'ODM_ERR_LICENSE_UNDERSTAKED');
    assert.ok(s2.sub.endedAt()! - mined < 1500);
    await s2.client.dispose();
    // Top the stake up again for the tests that follow.
    await n.chain.write(admin, 'DimoToken', 'mint', [n.app.address, 10_000n * E18]);
    await n.chain.write(n.app, 'DimoToken', 'approve', [services().chain.contracts.Licenses!, 10_000n * E18]);
    await n.chain.write(n.app, 'Licenses', 'stake', [licenseId, 10_000n * E18]);
    await n.mirrored();
  });

  it('delivers signed webhooks over HTTP, logs them for the developer and the owner, and stops at revocation', async () => {
    const { stranger } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(stranger);
    await n.chain.grant(stranger, vehicle, n.app.address, [1]);
    await n.mirrored();
    const dev = await n.developerToken();
    assert.equal((await http('GET', '/v1/webhooks', undefined)).json.code, 'ODM_ERR_AUTH_REQUIRED');
    const signals = (await http('GET', '/v1/webhooks/signals', dev)).json as Array<{ name: string; unit: string | null; privilege: number }>;
    assert.deepEqual(signals.find((x) => x.name === 'speed'), { name: 'speed', vss: 'Vehicle.Speed', unit: 'km/h', valueType: 'float64', privilege: 1 });

    const created = await http('POST', '/v1/webhooks', dev, {
      service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0,
      targetURL: receiver.url, status: 'enabled', verificationToken: receiver.verificationToken, description: 'speeding', displayName: 'Speeding',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { id, signingSecret } = created.json as { id: string; signingSecret: string };
    const did = `did:erc721:${services().chain.chainId}:${services().chain.contracts.VehicleId}:${vehicle}`;
    assert.equal((await http('POST', `/v1/webhooks/${id}/subscribe/${did}`, dev)).status, 201);
    assert.deepEqual((await http('GET', `/v1/webhooks/${id}`, dev)).json, [did]);
    const listed = (await http('GET', '/v1/webhooks', dev)).json as Array<Record<string, unknown>>;
    assert.equal(listed.find((w) => w.id === id)!.displayName, 'Speeding');

    await publish(vehicle, [{ time: Date.now(), signals: { speed: 95 } }, { time: Date.now() + 1, signals: { speed: 120 } }]);
    await receiver.waitFor(1);
    const got = receiver.deliveries[0]!;
    assert.ok(verifySignature({ secret: signingSecret, body: got.body, timestamp: got.headers[TIMESTAMP_HEADER] as string, signature: got.headers[SIGNATURE_HEADER] as string }));
    const payload = JSON.parse(got.body);
    assert.equal(payload.subject, did);
    assert.equal(payload.data.signal.value, 120);

    await until(() => false, 100).catch(() => undefined);
    const log = (await http('GET', `/v1/webhooks/${id}/deliveries`, dev)).json as { deliveries: Array<Record<string, unknown>> };
    assert.deepEqual(log.deliveries.map((d) => [d.id, d.status, d.attempts]), [[got.headers[DELIVERY_ID_HEADER], 'delivered', 1]]);
    const owner = await getActivityLog(services()).list(stranger.address, { kinds: ['webhook'] });
    assert.equal(owner.entries.length, 1);
    assert.deepEqual(owner.entries[0]!.detail, { webhookId: id, deliveryId: got.headers[DELIVERY_ID_HEADER], metric: 'speed', attempt: 1, outcome: 'delivered', httpStatus: 200 });

    await n.chain.revoke(stranger, vehicle, n.app.address);
    await n.mirrored();
    await publish(vehicle, [{ time: Date.now() + 2, signals: { speed: 130 } }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(receiver.deliveries.length, 1, 'no delivery after the revocation');
    const refused = await http('POST', `/v1/webhooks/${id}/subscribe/${vehicle}`, dev);
    assert.deepEqual([refused.status, refused.json.code], [403, 'ODM_ERR_CONSENT_MISSING']);
    assert.equal((await http('DELETE', `/v1/webhooks/${id}`, dev)).status, 200);
  });

  it('resumes pending deliveries after the node restarts (at least once)', async () => {
    const { alice } = n.chain.actors;
    const vehicle = await n.chain.mintVehicle(alice);
    await n.chain.grant(alice, vehicle, n.app.address, [1]);
    await n.mirrored();
    const dev = await n.developerToken();
    const created = await http('POST', '/v1/webhooks', dev, {
      service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0, targetURL: receiver.url, verificationToken: receiver.verificationToken,
    });
    const { id, signingSecret } = created.json as { id: string; signingSecret: string };
    assert.equal((await http('POST', `/v1/webhooks/${id}/subscribe/${vehicle}`, dev)).status, 201);
    const start = receiver.deliveries.length;
    receiver.defaultStatus = 503;
    try {
      await publish(vehicle, [{ time: Date.now(), signals: { speed: 140 } }]);
      await receiver.waitFor(start + 1);
      // Stop once the failed attempt is on record (stopping earlier aborts it, which is fine but not this test).
      for (let i = 0; i < 100; i++) {
        const log = (await http('GET', `/v1/webhooks/${id}/deliveries`, dev)).json as { deliveries: Array<{ attempts: number }> };
        if (log.deliveries[0]?.attempts === 1) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const first = n;
      await first.stop({ keepData: true });
      receiver.defaultStatus = 200;
      n = await startLiveNode({ dataDir: first.dataDir, licenseId: first.licenseId, overrides: { 'webhooks.backoffBaseMs': 50 } });
      n.removeData = () => first.removeData();
      await receiver.waitFor(start + 2, 10_000);
      const [a, b] = receiver.deliveries.slice(start);
      assert.equal(a!.headers[DELIVERY_ID_HEADER], b!.headers[DELIVERY_ID_HEADER], 'the same delivery, sent again by the restarted node');
      assert.equal(a!.body, b!.body);
      assert.ok(verifySignature({ secret: signingSecret, body: b!.body, timestamp: b!.headers[TIMESTAMP_HEADER] as string, signature: b!.headers[SIGNATURE_HEADER] as string }));
      await until(() => false, 100).catch(() => undefined);
      const log = (await http('GET', `/v1/webhooks/${id}/deliveries`, await n.developerToken())).json as { deliveries: Array<Record<string, unknown>> };
      assert.deepEqual(log.deliveries.map((d) => [d.status, d.attempts, d.lastStatus]), [['delivered', 2, 200]]);
    } finally {
      receiver.defaultStatus = 200;
    }
  });
});
