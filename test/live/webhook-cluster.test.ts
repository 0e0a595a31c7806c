// Webhooks in a cluster: several api processes (here, WebhookServices) share one database and one bus
// whose telemetry they consume as a queue group. Each event fires once, each delivery is attempted by one
// process at a time, a process that dies mid-delivery leaves a claim that lapses and another retries, and
// what one process writes (webhooks, subscriptions, cooldowns, previous samples) the others act on.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it, type TestContext } from 'node:test';
import type { Bus } from '../../src/bus/bus.ts';
import { createMemoryBus } from '../../src/bus/memory-bus.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { loadDefaultCatalog } from '../../src/ingest/normalize/signal-catalog.ts';
import type { DeveloperClaims } from '../../src/live/app-auth.ts';
import { FakeAccess, storedBatch, type SampleEvent } from '../../src/live/testing.ts';
import type { Store } from '../../src/store/store.ts';
import { Receiver } from '../../src/webhooks/testing.ts';
import { createWebhookSealer } from '../../src/webhooks/webhook-sealer.ts';
import { WebhookService, type WebhookSettings } from '../../src/webhooks/webhook-service.ts';
import { DELIVERY_ID_HEADER } from '../../src/webhooks/webhook-signing.ts';
import { WebhookStore } from '../../src/webhooks/webhook-store.ts';
import { describeBothStores, type StoreTarget } from '../support/postgres.ts';

const APP = '0x' + '22'.repeat(20);
const DEV: DeveloperClaims = { licenseId: '5', signer: '0x' + '33'.repeat(20), clientId: APP };
const KEK = randomBytes(32);
const SETTINGS: WebhookSettings = {
  maxFailures: 10, maxAttempts: 15, backoffBaseMs: 80, backoffMaxMs: 2000, timeoutMs: 3000, allowHttp: true, allowPrivateTargets: true, concurrency: 4, maxPerLicense: 50,
  logRetentionDays: 7, leaseMs: 1000, reloadMs: 60_000,
};

interface Cluster {
  bus: Bus;
  access: FakeAccess;
  stores: [Store, Store];
  start(which: 0 | 1): Promise<WebhookService>;
}

/** Two "processes": on PostgreSQL each has its own connection pool to the one database. */
async function cluster(t: TestContext, target: StoreTarget): Promise<Cluster> {
  const where = await target.fresh();
  const first = await target.open(where);
  const second = target.dialect === 'postgres' ? await target.open(where) : first;
  const bus = createMemoryBus({ logger: silentLogger() });
  const access = new FakeAccess(systemClock);
  const stores: [Store, Store] = [first, second];
  const running: WebhookService[] = [];
  t.after(async () => {
    await Promise.allSettled(running.map((s) => s.stop()));
    await bus.close();
  });
  return {
    bus, access, stores,
    async start(which) {
      const svc = new WebhookService({
        store: new WebhookStore(stores[which].db), sealer: createWebhookSealer(KEK), access, bus, catalog: loadDefaultCatalog(), clock: systemClock, logger: silentLogger(),
        settings: SETTINGS, assetDid: (id) => `did:erc721:1:0x0000000000000000000000000000000000000abc:${id}`, parseAsset: (a) => BigInt(a.split(':').pop()!),
        producer: () => 'http://127.0.0.1:1', instanceId: `process-${which}-${running.length}`,
      });
      await svc.start();
      running.push(svc);
      return svc;
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const speeds = (r: Receiver) => r.deliveries.map((d) => JSON.parse(d.body).data.signal.value as number).sort((a, b) => a - b);
const idsOf = (list: Receiver['deliveries']) => list.map((d) => d.headers[DELIVERY_ID_HEADER] as string);

describeBothStores('webhooks in a cluster', (target) => {
  let receiver: Receiver;
  before(async () => {
    receiver = await new Receiver().start();
  });
  after(() => receiver.stop());

  const create = (svc: WebhookService, extra: Record<string, unknown> = {}) =>
    svc.create(DEV, { service: 'telemetry.signals', metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: 0, targetURL: receiver.url, verificationToken: receiver.verificationToken, ...extra });
  const knows = (svc: WebhookService, id: string, vehicle: string) => svc.registry.get(id)?.vehicles.has(vehicle) === true;

  it('two processes in one queue group deliver each of N events exactly once', async (t) => {
    receiver.deliveries.length = 0;
    const c = await cluster(t, target);
    const [a, b] = [await c.start(0), await c.start(1)];
    const made = await create(a);
    c.access.grant(APP, 21n, [1]);
    await a.subscribe(DEV, made.id, '21');
    await until('the other process heard of the subscription', () => knows(b, made.id, '21'));

    const N = 24;
    for (let i = 0; i < N; i++) await c.bus.publish('telemetry.21', storedBatch(21n, [{ time: 1000 + i, signals: { speed: 101 + i } }]));
    await receiver.waitFor(N, 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // both dispatchers poll at least once more: nothing is sent again
    assert.equal(receiver.deliveries.length, N);
    assert.deepEqual(speeds(receiver), Array.from({ length: N }, (_, i) => 101 + i), 'every event once');
    assert.equal(new Set(idsOf(receiver.deliveries)).size, N, 'every delivery once');
    const rows = await c.stores[0].db.selectFrom('webhook_deliveries').select(['status', 'attempts', 'claimed_by']).execute();
    assert.deepEqual(rows.map((r) => [r.status, r.attempts, r.claimed_by]), Array.from({ length: N }, () => ['delivered', 1, null]));
  });

  it('retries the deliveries a dead process had claimed once its lease lapses', async (t) => {
    receiver.deliveries.length = 0;
    receiver.hung.length = 0;
    const c = await cluster(t, target);
    const a = await c.start(0);
    const made = await create(a);
    c.access.grant(APP, 22n, [1]);
    await a.subscribe(DEV, made.id, '22');
    receiver.hang = 3;
    for (let i = 0; i < 3; i++) await c.bus.publish('telemetry.22', storedBatch(22n, [{ time: 1000 + i, signals: { speed: 150 + i } }]));
    await until('process A is mid-delivery on all three', () => receiver.hung.length === 3);
    await a.stop({ releaseClaims: false }); // dies: no outcome recorded, claims left behind
    const claims = await c.stores[1].db.selectFrom('webhook_deliveries').select(['status', 'claimed_by', 'claimed_until']).execute();
    assert.equal(claims.length, 3);
    assert.ok(claims.every((r) => r.status === 'pending' && r.claimed_by !== null), 'still claimed by the dead process');
    const lapse = Math.max(...claims.map((r) => Number(r.claimed_until)));

    await c.start(1);
    await receiver.waitFor(3, 10_000);
    for (const d of receiver.deliveries) assert.ok(performance.timeOrigin + d.at >= lapse - 50, 'no retry before the lease lapsed');
    assert.deepEqual(new Set(idsOf(receiver.deliveries)), new Set(idsOf(receiver.hung)), 'the same deliveries, retried');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(receiver.deliveries.length, 3, 'each retried once');
    const rows = await c.stores[1].db.selectFrom('webhook_deliveries').select(['status', 'attempts']).execute();
    assert.deepEqual(rows.map((r) => [r.status, r.attempts]), [['delivered', 1], ['delivered', 1], ['delivered', 1]]);
  });

  it('acts in one process on webhooks, cooldowns and previous samples another process wrote', async (t) => {
    receiver.deliveries.length = 0;
    const c = await cluster(t, target);
    const [a, b] = [await c.start(0), await c.start(1)];
    const batch = (events: SampleEvent[]) => storedBatch(23n, events);
    c.access.grant(APP, 23n, [1]);

    // Created and subscribed through A; the data reaches B.
    const jump = await create(a, { condition: 'hasPreviousValue && valueNumber - previousValueNumber > 10.0', displayName: 'jump' });
    await a.subscribe(DEV, jump.id, '23');
    await until('B heard of the webhook', () => knows(b, jump.id, '23'));
    await a.engine.evaluate(batch([{ time: 1000, signals: { speed: 50 } }]));
    await b.engine.evaluate(batch([{ time: 2000, signals: { speed: 70 } }]));
    await receiver.waitFor(1);
    assert.deepEqual(speeds(receiver), [70], "B compared with the previous sample A saw");
    const stored = await c.stores[0].db.selectFrom('webhook_previous').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.ok(!Buffer.from(stored[0]!.value_ct).toString('latin1').includes('"value"'), 'the previous sample is sealed');
    await a.remove(DEV, jump.id);
    await until('B forgot the deleted webhook', () => b.registry.get(jump.id) === undefined);

    // A cooldown started by a fire in A holds in B.
    receiver.deliveries.length = 0;
    const slow = await create(b, { coolDownPeriod: 60, displayName: 'slow' });
    await b.subscribe(DEV, slow.id, '23');
    await until('A heard of the webhook', () => knows(a, slow.id, '23'));
    await a.engine.evaluate(batch([{ time: 3000, signals: { speed: 120 } }]));
    await b.engine.evaluate(batch([{ time: 4000, signals: { speed: 130 } }]));
    await receiver.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(speeds(receiver), [120], '130 fell in the cooldown A started');

    // Disabled through B: A stops firing it.
    await b.update(DEV, slow.id, { status: 'disabled', coolDownPeriod: 0 });
    await until('A saw it disabled', () => a.registry.get(slow.id)?.row.status === 'disabled');
    await a.engine.evaluate(batch([{ time: 5000, signals: { speed: 140 } }]));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(speeds(receiver), [120]);

    // A batch evaluated again by another process (the bus redelivered it: its first evaluator died before
    // acknowledging) queues nothing twice, even without a cooldown.
    receiver.deliveries.length = 0;
    const every = await create(a, { displayName: 'every' });
    await a.subscribe(DEV, every.id, '23');
    await until('B heard of the webhook', () => knows(b, every.id, '23'));
    const again = batch([{ id: 'ev-redelivered', time: 6000, signals: { speed: 150 } }]);
    await a.engine.evaluate(again);
    await b.engine.evaluate(again);
    await b.engine.evaluate(batch([{ time: 7000, signals: { speed: 160 } }]));
    await receiver.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(speeds(receiver), [150, 160]);
  });
});
