// MQTT ingest through real brokers and clients: the embedded aedes broker acknowledges a device's QoS 1
// publish only after the durable write; device topics cannot be subscribed to; an external broker (here
// another aedes, reached over TCP like Mosquitto would be) is consumed with acknowledgement after write.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { silentLogger } from '../src/core/logger.ts';
import { signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { attachEmbeddedBroker } from '../src/ingest/transports/mqtt-embedded.ts';
import { startExternalConsumer } from '../src/ingest/transports/mqtt-external.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from '../src/mqtt/embedded-broker.ts';
import { HARNESS_T0, startHarness, type Harness } from './support/ingest-harness.ts';

const T = new Date(HARNESS_T0 - 30_000).toISOString();
let h: Harness;
let n = 0;

before(async () => {
  h = await startHarness({ devices: 3 });
});
after(() => h.close());

async function storedIds(vehicle: bigint): Promise<string[]> {
  await h.svc.vault.flush();
  return (await h.svc.vault.reader.events(String(vehicle), 1)).map((e) => e.id);
}

describe('embedded broker', () => {
  let broker: EmbeddedBroker;
  let detach: () => void;
  before(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    detach = attachEmbeddedBroker(broker.broker, () => h.svc.pipeline, silentLogger());
  });
  after(async () => {
    detach();
    await broker.stop();
  });

  it('PUBACK follows the durable write: once publish resolves, the event is in the log', async () => {
    const d = h.devices[0]!;
    const client = await mqtt.connectAsync(broker.url, { clientId: 'dev0' });
    try {
      const ids: string[] = [];
      await Promise.all(Array.from({ length: 50 }, () => {
        const id = `mqtt-${++n}`;
        ids.push(id);
        return client.publishAsync(`devices/${d.address}/status`, signedEvent(d, { id, time: T, data: twentySignals(T, n) }), { qos: 1 });
      }));
      // Every acknowledged event is already durable: count it in the append log before any compaction.
      const rows = await h.store.db.selectFrom('vault_log').select((eb) => eb.fn.sum<number>('n_events').as('n')).executeTakeFirst();
      assert.ok(Number(rows?.n) >= 50, `log holds ${rows?.n} events`);
      const stored = await storedIds(d.vehicleTokenId);
      for (const id of ids) assert.ok(stored.includes(id), id);
    } finally {
      await client.endAsync();
    }
  });

  it('acknowledges rejected events (resending cannot fix them) and stores nothing of them', async () => {
    const [d0, d1] = [h.devices[0]!, h.devices[1]!];
    const client = await mqtt.connectAsync(broker.url, { clientId: 'dev1' });
    try {
      // Signed by d1 but published on d0's topic.
      await client.publishAsync(`devices/${d0.address}/status`, signedEvent(d1, { id: 'wrong-topic', time: T, data: twentySignals(T, 1) }), { qos: 1 });
      await client.publishAsync(`devices/${d0.address}/status`, 'not json', { qos: 1 });
      assert.equal((await storedIds(d1.vehicleTokenId)).includes('wrong-topic'), false);
    } finally {
      await client.endAsync();
    }
  });

  it('device topics are write-only: subscriptions that would see them are refused', async () => {
    const spy = await mqtt.connectAsync(broker.url, { clientId: 'spy' });
    try {
      for (const filter of ['devices/#', '#', 'devices/+/status', `devices/${h.devices[0]!.address}/status`]) {
        await assert.rejects(spy.subscribeAsync(filter, { qos: 1 }), /Subscribe error/, filter);
      }
      assert.deepEqual((await spy.subscribeAsync('other/topic', { qos: 1 })).map((g) => g.qos), [1]);
    } finally {
      await spy.endAsync();
    }
  });
});

describe('external broker', () => {
  it('consumes device topics with QoS 1 and acknowledges after the write', async () => {
    const external = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
    const consumer = await startExternalConsumer({ url: external.url, pipeline: () => h.svc.pipeline, logger: silentLogger(), clientIdPrefix: 'node-test' });
    const d = h.devices[2]!;
    const device = await mqtt.connectAsync(external.url, { clientId: 'dev2' });
    try {
      const ids = Array.from({ length: 20 }, () => `ext-${++n}`);
      await Promise.all(ids.map((id) => device.publishAsync(`devices/${d.address}/status`, signedEvent(d, { id, time: T, data: twentySignals(T, 2) }), { qos: 1 })));
      const deadline = Date.now() + 10_000;
      let stored: string[] = [];
      while (Date.now() < deadline) {
        stored = await storedIds(d.vehicleTokenId);
        if (ids.every((id) => stored.includes(id))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(ids.filter((id) => !stored.includes(id)), []);
    } finally {
      await device.endAsync();
      await consumer.stop();
      await external.stop();
    }
  });
});
