import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { createServer } from 'node:net';
import { startEmbeddedBroker } from './embedded-broker.ts';
import { connectExternalBroker, redactUrl } from './external-broker.ts';
import { silentLogger } from '../core/logger.ts';
import { OdmError } from '../core/errors.ts';

test('embedded broker relays QoS 1 messages between real MQTT clients and reports health', async (t) => {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  t.after(() => broker.stop());
  assert.match(broker.url, /^mqtt:\/\/127\.0\.0\.1:\d+$/);

  const sub = await mqtt.connectAsync(broker.url);
  const pub = await mqtt.connectAsync(broker.url);
  t.after(async () => {
    await sub.endAsync();
    await pub.endAsync();
  });
  await sub.subscribeAsync('devices/+/status', { qos: 1 });
  const received = new Promise<[string, string]>((resolve) => sub.on('message', (topic, payload) => resolve([topic, payload.toString()])));
  await pub.publishAsync('devices/0xabc/status', '{"speed":42}', { qos: 1 });
  assert.deepEqual(await received, ['devices/0xabc/status', '{"speed":42}']);

  const health = await broker.probe();
  assert.equal(health.ok, true);
  assert.match(health.detail, /2 clients/);
});

test('the external adapter connects to any broker (here the embedded one) and reports loss', async (t) => {
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  const external = await connectExternalBroker({ url: broker.url, logger: silentLogger() });
  t.after(() => external.stop());
  assert.equal((await external.probe()).ok, true);
  await broker.stop();
  assert.equal((await broker.probe()).ok, false);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await external.probe()).ok, false);
});

test('a port already taken is a clear error', async (t) => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(
    startEmbeddedBroker({ host: '127.0.0.1', port, logger: silentLogger() }),
    (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_MQTT_UNAVAILABLE',
  );
});

test('broker URLs are shown without passwords', () => {
  assert.equal(redactUrl('mqtts://node:hunter2@broker:8883'), 'mqtts://node:***@broker:8883');
});
