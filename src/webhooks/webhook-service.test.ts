import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { Bus } from '../bus/bus.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { DeveloperClaims } from '../live/app-auth.ts';
import { FakeAccess, storedBatch, type SampleEvent } from '../live/testing.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { backoffMs } from './webhook-dispatcher.ts';
import { createWebhookSealer } from './webhook-sealer.ts';
import { WebhookService, type WebhookSettings } from './webhook-service.ts';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER, verifySignature } from './webhook-signing.ts';
import { WebhookStore } from './webhook-store.ts';
import { Receiver } from './testing.ts';

const APP = '0x' + '22'.repeat(20);
const DEV: DeveloperClaims = { licenseId: '5', signer: '0x' + '33'.repeat(20), clientId: APP };
const OTHER_DEV: DeveloperClaims = { licenseId: '6', signer: '0x' + '44'.repeat(20), clientId: '0x' + '55'.repeat(20) };
const KEK = randomBytes(32);
const SETTINGS: WebhookSettings = {
  maxFailures: 10, maxAttempts: 15, backoffBaseMs: 80, backoffMaxMs: 2000, timeoutMs: 2000, allowHttp: true, allowPrivateTargets: true, concurrency: 4, maxPerLicense: 50, logRetentionDays: 7,
};

interface Node {
  store: Store;
  bus: Bus;
  access: FakeAccess;
  svc: WebhookService;
  stop(): Promise<void>;
}

async function startNode(dir: string, access = new FakeAccess(systemClock), settings: Partial<WebhookSettings> = {}): Promise<Node> {
  const store = await openStore({ dataDir: dir, logger: silentLogger() });
  const bus = createMemoryBus({ logger: silentLogger() });
  const svc = new WebhookService({
    store: new WebhookStore(store.db), sealer: createWebhookSealer(KEK), access, bus, catalog: loadDefaultCatalog(), clock: systemClock, logger: silentLogger(),
    settings: { ...SETTINGS, ...settings }, assetDid: (id) => `did:erc721:1:0x0000000000000000000000000000000000000abc:${id}`,
    parseAsset: (a) => BigInt(a.split(':').pop()!), producer: () => 'http://127.0.0.1:1',
  });
  await svc.start();
  return {
    store, bus, access, svc,
    async stop() {
      await svc.stop();
      await bus.close();
      await store.close();
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'resolved';
}

const publish = (node: Node, vehicleId: bigint, events: SampleEvent[]) => node.bus.publish(`telemetry.${vehicleId}`, storedBatch(vehicleId, events));
const settle = () => new Promise((r) => setTimeout(r, 60));

describe('webhooks', () => {
  let dir: string;
  let receiver: Receiver;
  let node: Node;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opendimo-webhooks-'));
    receiver = await new Receiver().start();
    node = await startNode(dir);
  });
  after(async () => {
    await node.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (extra: Record<string, unknown> = {}, dev = DEV) =>
    node.svc.create(dev, { service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0, targetURL: receiver.url, verificationToken: receiver.verificationToken, ...extra });

  it('verifies the target and validates the request on create', async () => {
    assert.equal(await codeOf(create({ verificationToken: 'wrong' })), 'ODM_ERR_WEBHOOK_VERIFICATION_FAILED');
    assert.equal(await codeOf(create({ condition: 'valueNumber >' })), 'ODM_ERR_WEBHOOK_CONDITION_INVALID');
    assert.equal(await codeOf(create({ condition: 'valueNumber + 1.0' })), 'ODM_ERR_WEBHOOK_CONDITION_INVALID');
    assert.equal(await codeOf(create({ condition: 'unknownVar > 1' })), 'ODM_ERR_WEBHOOK_CONDITION_INVALID');
    assert.equal(await codeOf(create({ metricName: 'warpSpeed' })), 'ODM_ERR_WEBHOOK_METRIC_UNKNOWN');
    assert.equal(await codeOf(create({ service: 'telemetry.events' })), 'ODM_ERR_VALIDATION');
    assert.equal(await codeOf(create({ targetURL: 'ftp://example.com/x' })), 'ODM_ERR_WEBHOOK_TARGET_INVALID');
    assert.equal(await codeOf(create({ coolDownPeriod: -1 })), 'ODM_ERR_VALIDATION');
    const made = await create({ metricName: 'vss.speed', service: 'signals', displayName: 'fast' });
    assert.match(made.signingSecret, /^whsec_/);
    assert.equal(await codeOf(create({ displayName: 'fast' })), 'ODM_ERR_WEBHOOK_NAME_TAKEN');
    const [listed] = node.svc.list(DEV).filter((w) => w.id === made.id);
    assert.equal(listed!.metricName, 'speed');
    assert.equal(listed!.service, 'telemetry.signals');
    assert.equal(listed!.status, 'enabled');
    assert.equal(node.svc.list(OTHER_DEV).length, 0);
    assert.equal(await codeOf(node.svc.update(OTHER_DEV, made.id, { status: 'disabled' })), 'ODM_ERR_WEBHOOK_NOT_FOUND');
    await node.svc.remove(DEV, made.id);
  });

  it('subscribes a vehicle only when the app holds the privilege the metric needs', async () => {
    const speed = await create();
    const where = await create({ metricName: 'currentLocationCoordinates', condition: 'value.latitude > 50.0' });
    node.access.grant(APP, 1n, [1]);
    assert.equal(await codeOf(node.svc.subscribe(DEV, where.id, '1')), 'ODM_ERR_CONSENT_MISSING');
    assert.equal(await codeOf(node.svc.subscribe(DEV, speed.id, '2')), 'ODM_ERR_TOKEN_NOT_FOUND');
    await node.svc.subscribe(DEV, speed.id, '1');
    assert.deepEqual(node.svc.vehiclesOf(DEV, speed.id).map((v) => v.tokenId), ['1']);
    assert.deepEqual(node.svc.subscriptionsOfVehicle(DEV, '1').map((s) => s.webhookId), [speed.id]);
    await node.svc.unsubscribe(DEV, speed.id, ['1']);
    assert.deepEqual(node.svc.vehiclesOf(DEV, speed.id), []);
    node.access.grant(APP, 3n, [1, 4]);
    assert.equal((await node.svc.subscribeMany(DEV, where.id, 'all')).message, 'Subscribed 1 assets');
    assert.deepEqual(node.svc.vehiclesOf(DEV, where.id).map((v) => v.tokenId), ['3']);
    await node.svc.remove(DEV, speed.id);
    await node.svc.remove(DEV, where.id);
  });

  it('fires on a true CEL condition with previousValue, signs with HMAC-SHA256 and logs the delivery', async () => {
    const made = await create({ condition: 'hasPreviousValue && valueNumber - previousValueNumber > 10.0', displayName: 'jump' });
    node.access.grant(APP, 10n, [1]);
    await node.svc.subscribe(DEV, made.id, '10');
    const start = receiver.deliveries.length;
    await publish(node, 10n, [{ time: 1_000, signals: { speed: 50 } }, { time: 2_000, signals: { speed: 55 } }]);
    await publish(node, 10n, [{ time: 3_000, signals: { speed: 70, exteriorAirTemperature: 90 } }]);
    await receiver.waitFor(start + 1);
    await settle();
    assert.equal(receiver.deliveries.length, start + 1, 'only 55 → 70 fired (50 had no previous, 55 rose by 5)');
    const got = receiver.deliveries[start]!;
    const ts = got.headers[TIMESTAMP_HEADER] as string;
    const sig = got.headers[SIGNATURE_HEADER] as string;
    assert.ok(verifySignature({ secret: made.signingSecret, body: got.body, timestamp: ts, signature: sig }), 'the receiver verifies the signature');
    assert.equal(sig, signBody(made.signingSecret, Number(ts), got.body));
    assert.ok(!verifySignature({ secret: made.signingSecret, body: got.body.replace('70', '71'), timestamp: ts, signature: sig }), 'a changed body fails');
    assert.equal(got.headers['x-dimo-signature-version'], 'v1');
    const payload = JSON.parse(got.body);
    assert.equal(payload.type, 'dimo.trigger');
    assert.equal(payload.specversion, '1.0');
    assert.equal(payload.subject, 'did:erc721:1:0x0000000000000000000000000000000000000abc:10');
    assert.equal(payload.data.webhookId, made.id);
    assert.equal(payload.data.webhookName, 'jump');
    assert.equal(payload.data.metricName, 'speed');
    assert.deepEqual({ name: payload.data.signal.name, value: payload.data.signal.value, unit: payload.data.signal.unit, valueType: payload.data.signal.valueType, timestamp: payload.data.signal.timestamp },
      { name: 'speed', value: 70, unit: 'km/h', valueType: 'float64', timestamp: new Date(3_000).toISOString() });

    const log = await node.svc.deliveries(DEV, made.id, {});
    assert.equal(log.deliveries.length, 1);
    const d = log.deliveries[0]!;
    assert.equal(d.id, got.headers[DELIVERY_ID_HEADER]);
    assert.equal(d.eventId, payload.id);
    assert.deepEqual([d.status, d.attempts, d.lastStatus, d.tokenId], ['delivered', 1, 200, '10']);
    const row = await node.store.db.selectFrom('webhook_deliveries').select('body_ct').where('id', '=', d.id).executeTakeFirstOrThrow();
    assert.equal(row.body_ct, null, 'a delivered body is erased');
    await node.svc.remove(DEV, made.id);
  });

  it('does not fire on a false condition, and honours the cooldown per vehicle', async () => {
    const made = await create({ coolDownPeriod: 1 });
    node.access.grant(APP, 11n, [1]);
    node.access.grant(APP, 12n, [1]);
    await node.svc.subscribe(DEV, made.id, '11');
    await node.svc.subscribe(DEV, made.id, '12');
    const start = receiver.deliveries.length;
    await publish(node, 11n, [{ time: 1, signals: { speed: 90 } }]);
    await publish(node, 11n, [{ time: 2, signals: { speed: 120 } }, { time: 3, signals: { speed: 130 } }]);
    await publish(node, 12n, [{ time: 4, signals: { speed: 125 } }]);
    await receiver.waitFor(start + 2);
    await settle();
    const values = () => receiver.deliveries.slice(start).map((d) => JSON.parse(d.body).data.signal.value).sort();
    assert.deepEqual(values(), [120, 125], '90 is false; 130 falls in vehicle 11’s cooldown; vehicle 12 has its own');
    await new Promise((r) => setTimeout(r, 1050));
    await publish(node, 11n, [{ time: 5, signals: { speed: 140 } }]);
    await receiver.waitFor(start + 3);
    assert.deepEqual(values(), [120, 125, 140]);
    await node.svc.remove(DEV, made.id);
  });

  it('retries after 500s with exponential backoff until delivered', async () => {
    const made = await create();
    node.access.grant(APP, 13n, [1]);
    await node.svc.subscribe(DEV, made.id, '13');
    const start = receiver.deliveries.length;
    receiver.script = [500, 503];
    await publish(node, 13n, [{ time: 1, signals: { speed: 150 } }]);
    await receiver.waitFor(start + 3);
    const attempts = receiver.deliveries.slice(start, start + 3);
    assert.equal(new Set(attempts.map((a) => a.headers[DELIVERY_ID_HEADER])).size, 1, 'one delivery id across retries');
    assert.equal(new Set(attempts.map((a) => a.body)).size, 1, 'the same body');
    const gap1 = attempts[1]!.at - attempts[0]!.at;
    const gap2 = attempts[2]!.at - attempts[1]!.at;
    assert.ok(gap1 >= 80 * 0.8 - 5, `first retry after ~80 ms (${gap1.toFixed(0)})`);
    assert.ok(gap2 >= 160 * 0.8 - 5 && gap2 > gap1 * 1.1, `second retry after ~160 ms (${gap2.toFixed(0)} vs ${gap1.toFixed(0)})`);
    await settle();
    const d = (await node.svc.deliveries(DEV, made.id, {})).deliveries[0]!;
    assert.deepEqual([d.status, d.attempts, d.lastStatus], ['delivered', 3, 200]);
    assert.equal(node.svc.list(DEV).find((w) => w.id === made.id)!.failureCount, 0, 'success resets the failure count');
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffMs(n, 100, 1000, () => 0.5)), [100, 200, 400, 800]);
    assert.equal(backoffMs(9, 100, 1000, () => 0.5), 1000);
    await node.svc.remove(DEV, made.id);
  });

  it('disables a webhook whose target fails N times in a row, with a reason, and resumes when re-enabled', async () => {
    const local = await startNode(join(dir, 'disable'), undefined, { maxFailures: 3, backoffBaseMs: 20 });
    try {
      const made = await local.svc.create(DEV, { service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0, targetURL: receiver.url, verificationToken: receiver.verificationToken });
      local.access.grant(APP, 14n, [1]);
      await local.svc.subscribe(DEV, made.id, '14');
      const start = receiver.deliveries.length;
      receiver.defaultStatus = 500;
      await local.bus.publish('telemetry.14', storedBatch(14n, [{ time: 1, signals: { speed: 150 } }]));
      await receiver.waitFor(start + 3);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.deliveries.length, start + 3, 'no attempt after the third failure');
      const w = local.svc.list(DEV)[0]!;
      assert.equal(w.status, 'disabled');
      assert.equal(w.failureCount, 3);
      assert.match(w.disabledReason!, /3 consecutive failed deliveries \(last: the target answered HTTP 500\)/);
      const stored = await local.store.db.selectFrom('webhooks').select(['status', 'disabled_reason']).where('id', '=', made.id).executeTakeFirstOrThrow();
      assert.equal(stored.status, 'disabled');
      const pending = (await local.svc.deliveries(DEV, made.id, { status: 'pending' })).deliveries;
      assert.equal(pending.length, 1, 'the delivery waits');
      await local.bus.publish('telemetry.14', storedBatch(14n, [{ time: 2, signals: { speed: 160 } }]));
      await settle();
      assert.equal((await local.svc.deliveries(DEV, made.id, {})).deliveries.length, 1, 'a disabled webhook does not fire');

      receiver.defaultStatus = 200;
      await local.svc.update(DEV, made.id, { status: 'enabled' });
      await receiver.waitFor(start + 4);
      await settle();
      const after = local.svc.list(DEV)[0]!;
      assert.deepEqual([after.status, after.failureCount, after.disabledReason], ['enabled', 0, null]);
      assert.equal((await local.svc.deliveries(DEV, made.id, {})).deliveries[0]!.status, 'delivered');
    } finally {
      receiver.defaultStatus = 200;
      await local.stop();
    }
  });

  it('delivers nothing once the grant is revoked, not even a queued retry', async () => {
    const made = await create();
    node.access.grant(APP, 15n, [1]);
    await node.svc.subscribe(DEV, made.id, '15');
    const start = receiver.deliveries.length;
    receiver.script = [500];
    await publish(node, 15n, [{ time: 1, signals: { speed: 150 } }]);
    await receiver.waitFor(start + 1);
    node.access.revoke(APP, 15n);
    await publish(node, 15n, [{ time: 2, signals: { speed: 170 } }]);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(receiver.deliveries.length, start + 1, 'no retry and no new fire');
    const [d] = (await node.svc.deliveries(DEV, made.id, {})).deliveries;
    assert.equal(d!.status, 'dropped');
    assert.match(d!.lastError!, /^ODM_ERR_CONSENT_MISSING/);
    await node.svc.remove(DEV, made.id);
  });

  it('delivers at least once across a restart: the queue is durable', async () => {
    const local = join(dir, 'restart');
    let first = await startNode(local);
    const made = await first.svc.create(DEV, { service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0, targetURL: receiver.url, verificationToken: receiver.verificationToken });
    first.access.grant(APP, 16n, [1]);
    await first.svc.subscribe(DEV, made.id, '16');
    const start = receiver.deliveries.length;
    receiver.defaultStatus = 503;
    await first.bus.publish('telemetry.16', storedBatch(16n, [{ time: 1, signals: { speed: 150 } }]));
    await receiver.waitFor(start + 1);
    while ((await first.svc.deliveries(DEV, made.id, {})).deliveries[0]?.attempts !== 1) await settle();
    await first.stop();
    const pending = first.access;
    receiver.defaultStatus = 200;
    const second = await startNode(local, pending);
    try {
      await receiver.waitFor(start + 2);
      await settle();
      const ids = receiver.deliveries.slice(start).map((d) => d.headers[DELIVERY_ID_HEADER]);
      assert.equal(ids[0], ids[1], 'the same delivery, retried by the restarted node');
      const d = (await second.svc.deliveries(DEV, made.id, {})).deliveries[0]!;
      assert.deepEqual([d.status, d.attempts], ['delivered', 2]);
      assert.ok(verifySignature({ secret: made.signingSecret, body: receiver.deliveries[start + 1]!.body, timestamp: receiver.deliveries[start + 1]!.headers[TIMESTAMP_HEADER] as string, signature: receiver.deliveries[start + 1]!.headers[SIGNATURE_HEADER] as string }), 'the secret survived the restart sealed');
    } finally {
      receiver.defaultStatus = 200;
      await second.stop();
    }
  });

  it('pages the delivery log and keeps no plaintext secret or body at rest', async () => {
    const made = await create();
    node.access.grant(APP, 17n, [1]);
    await node.svc.subscribe(DEV, made.id, '17');
    const start = receiver.deliveries.length;
    for (let i = 0; i < 5; i++) await publish(node, 17n, [{ time: 10 + i, signals: { speed: 200 + i } }]);
    await receiver.waitFor(start + 5);
    await settle();
    const p1 = await node.svc.deliveries(DEV, made.id, { limit: 3 });
    assert.equal(p1.deliveries.length, 3);
    assert.ok(p1.nextCursor);
    const p2 = await node.svc.deliveries(DEV, made.id, { limit: 3, cursor: p1.nextCursor });
    assert.equal(p2.deliveries.length, 2);
    assert.equal(p2.nextCursor, undefined);
    assert.equal(new Set([...p1.deliveries, ...p2.deliveries].map((d) => d.id)).size, 5);
    const raw = await node.store.db.selectFrom('webhooks').select('secret_ct').where('id', '=', made.id).executeTakeFirstOrThrow();
    assert.ok(!Buffer.from(raw.secret_ct).toString('latin1').includes(made.signingSecret));
    assert.equal(await codeOf(node.svc.deliveries(DEV, made.id, { cursor: 'nope' })), 'ODM_ERR_VALIDATION');
    await node.svc.remove(DEV, made.id);
  });
});
