// The NATS bus against a real nats-server (test/support/nats-server.ts) and real stores. Each bus
// instance stands for one process of a cluster.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../core/logger.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import type { Store } from '../store/store.ts';
import { describeBothStores } from '../../test/support/postgres.ts';
import { startNatsServer, type TestNatsServer } from '../../test/support/nats-server.ts';
import { openStore } from '../store/open-store.ts';
import { tmpdir } from 'node:os';
import type { Bus } from './bus.ts';
import { createNatsBus } from './nats-bus.ts';

const started = await startNatsServer({ jetstream: true });
const skip = 'skipped' in started ? started.skipped : false;
const server = started as TestNatsServer;
after(() => ('skipped' in started ? undefined : server.stop()));

const kek = randomBytes(32);
const buses: Bus[] = [];
const dirs: string[] = [];
const stores: Store[] = [];
after(async () => {
  await Promise.allSettled(buses.map((b) => b.close()));
  await Promise.allSettled(stores.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function sqliteStore(): Promise<Store> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opendimo-bus-'));
  dirs.push(dataDir);
  const store = await openStore({ dataDir, logger: silentLogger() });
  stores.push(store);
  return store;
}

async function bus(store: Store, extra: { metrics?: Metrics; ackWaitMs?: number; stream?: string } = {}): Promise<Bus> {
  const b = await createNatsBus({
    url: server.url, logger: silentLogger(), store, kek, retryMs: 100, publishTimeoutMs: 1_000, ackWaitMs: extra.ackWaitMs ?? 30_000,
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
    ...(extra.stream ? { streamName: extra.stream, subjectPrefix: extra.stream.toLowerCase() } : {}),
  });
  buses.push(b);
  return b;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const outboxDepth = async (store: Store) => Number((await store.db.selectFrom('bus_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

let stream = 0;
const fresh = () => `T${++stream}_${process.pid}`;

describe('NATS bus', { skip }, () => {
  let storeA: Store;
  let storeB: Store;
  before(async () => {
    storeA = await sqliteStore();
    storeB = await sqliteStore();
  });

  it('fans every message out to every process, in order, with payloads intact', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name });
    const b = await bus(storeB, { stream: name });
    const seenA: unknown[] = [];
    const seenB: Array<[unknown, string]> = [];
    a.subscribe('telemetry.*', (p) => void seenA.push(p));
    b.subscribe('telemetry.*', (p, s) => void seenB.push([p, s]));
    b.subscribe('other.*', () => assert.fail('wrong subject'));
    for (let i = 0; i < 5; i++) await a.publish(`telemetry.${i}`, { i, id: BigInt(i), raw: Buffer.from([i]) });
    await waitFor('both processes', () => seenA.length === 5 && seenB.length === 5);
    assert.deepEqual(seenA.map((p) => (p as { i: number }).i), [0, 1, 2, 3, 4]);
    assert.deepEqual(seenB[3], [{ i: 3, id: 3n, raw: Buffer.from([3]) }, 'telemetry.3']);
    assert.equal((await a.probe()).ok, true);
  });

  it('gives each message of a queue group to exactly one process', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name });
    const b = await bus(storeB, { stream: name });
    const got: number[] = [];
    const by = { a: 0, b: 0 };
    a.subscribe('telemetry.*', (p) => void (got.push((p as { i: number }).i), by.a++), { group: 'hooks' });
    b.subscribe('telemetry.*', (p) => void (got.push((p as { i: number }).i), by.b++), { group: 'hooks' });
    for (let i = 0; i < 60; i++) await a.publish(`telemetry.${i % 7}`, { i });
    await waitFor('60 deliveries', () => got.length >= 60);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 60 }, (_, i) => i));
    assert.equal(by.a + by.b, 60);
  });

  it('redelivers a queue-group message whose handler failed, after the ack wait', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name, ackWaitMs: 800 });
    let attempts = 0;
    let done = false;
    a.subscribe('jobs.x', () => {
      attempts++;
      if (attempts === 1) throw new Error('transient');
      done = true;
    }, { group: 'workers' });
    await a.publish('jobs.x', { n: 1 });
    await waitFor('redelivery', () => done, 10_000);
    assert.equal(attempts, 2);
  });

  it('gives a message whose process died mid-handler to another process of the group', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name, ackWaitMs: 800 });
    const b = await bus(storeB, { stream: name, ackWaitMs: 800 });
    let aGot = 0;
    const bGot: number[] = [];
    a.subscribe('jobs.*', () => {
      aGot++;
      return new Promise(() => undefined); // hangs: the process "dies" before acking
    }, { group: 'workers' });
    await a.publish('jobs.1', { n: 1 });
    await waitFor('a took it', () => aGot === 1, 10_000);
    await a.close();
    b.subscribe('jobs.*', (p) => void bGot.push((p as { n: number }).n), { group: 'workers' });
    await waitFor('b got it after the ack wait', () => bGot.length === 1, 10_000);
    assert.deepEqual(bGot, [1]);
  });

  it('stores no plaintext in the NATS file store', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name });
    const marker = 'PLAINTEXT-MARKER-8d1f2c';
    let seen = '';
    a.subscribe('telemetry.*', (p) => void (seen = (p as { vin: string }).vin));
    for (let i = 0; i < 20; i++) await a.publish('telemetry.9', { vin: marker, n: i });
    await waitFor('delivery', () => seen === marker);
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const stored = files(join(server.dir, 'jetstream'));
    assert.ok(stored.some((f) => f.endsWith('.blk')), 'the stream has message blocks');
    for (const f of stored) assert.ok(!readFileSync(f).includes(marker), `${f} holds plaintext`);
  });

  it('resumes a fan-out subscription after NATS restarts, without replaying old messages', async () => {
    const name = fresh();
    const a = await bus(storeA, { stream: name });
    const b = await bus(storeB, { stream: name });
    const seen: number[] = [];
    const grouped: number[] = [];
    b.subscribe('telemetry.*', (p) => void seen.push((p as { n: number }).n));
    b.subscribe('telemetry.*', (p) => void grouped.push((p as { n: number }).n), { group: 'g' });
    await a.publish('telemetry.1', { n: 1 });
    await waitFor('first message', () => seen.length === 1 && grouped.length === 1);
    await server.restart();
    for (let n = 2; n <= 4; n++) await a.publish('telemetry.1', { n });
    await waitFor('messages after the restart', () => seen.length >= 4);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(seen, [1, 2, 3, 4]);
    await waitFor('the group too', () => grouped.length >= 4);
    assert.deepEqual(grouped, [1, 2, 3, 4]);
    await waitFor('healthy again', async () => (await b.probe()).ok);
  });
});

describeBothStores('NATS bus outbox', (target) => {
  it('keeps messages in the outbox while NATS is down and delivers each exactly once when it returns', { skip, timeout: 90_000 }, async () => {
    const name = fresh();
    const db = await target.fresh();
    const first = await target.open(db);
    const metricsA = createMetrics({ defaults: false });
    const metricsB = createMetrics({ defaults: false });
    const a = await bus(first, { stream: name, metrics: metricsA });
    // A second process sharing the outbox's database drains concurrently: rows are claimed, never republished twice.
    const second = await target.open(db);
    const a2 = await bus(second, { stream: name, metrics: metricsB });
    const listener = await bus(await sqliteStore(), { stream: name });
    const seen = new Map<number, number>();
    listener.subscribe('telemetry.*', (p) => void seen.set((p as { n: number }).n, (seen.get((p as { n: number }).n) ?? 0) + 1));
    await a.publish('telemetry.0', { n: -1 });
    await waitFor('listener active', () => seen.size === 1);

    await server.pause();
    await Promise.all(Array.from({ length: 200 }, (_, n) => a.publish(`telemetry.${n % 5}`, { n, secret: 'MARKER-OUTBOX' })));
    assert.equal(await outboxDepth(first), 200);
    const rows = await first.db.selectFrom('bus_outbox').select('payload').execute();
    for (const r of rows) assert.ok(!Buffer.from(r.payload).includes('MARKER-OUTBOX'));
    const down = await a.probe();
    assert.equal(down.ok, false);
    assert.match(down.detail ?? '', /outbox/);

    await server.restart();
    await waitFor('all 200 delivered', () => seen.size === 201, 60_000);
    await waitFor('outbox empty', async () => (await outboxDepth(first)) === 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok([...seen.values()].every((c) => c === 1), 'no message twice');
    const drained = async (m: Metrics) => (await m.registry.getSingleMetric('opendimo_bus_published_total')?.get())?.values.find((v) => v.labels.path === 'outbox')?.value ?? 0;
    assert.equal((await drained(metricsA)) + (await drained(metricsB)), 200, 'each row republished once');
    void a2;
  });
});
