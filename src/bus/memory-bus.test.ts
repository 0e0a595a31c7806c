import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBus } from './memory-bus.ts';
import { subjectMatches } from './bus.ts';
import { silentLogger } from '../core/logger.ts';
import { OdmError } from '../core/errors.ts';

test('subjects match with NATS wildcards', () => {
  const cases: Array<[string, string, boolean]> = [
    ['telemetry.v1.42', 'telemetry.v1.42', true],
    ['telemetry.*.42', 'telemetry.v1.42', true],
    ['telemetry.*', 'telemetry.v1.42', false],
    ['telemetry.>', 'telemetry.v1.42', true],
    ['telemetry.>', 'telemetry', false],
    ['telemetry.v1', 'telemetry.v1.42', false],
    ['telemetry.v1.42.x', 'telemetry.v1.42', false],
  ];
  for (const [pattern, subject, expected] of cases) assert.equal(subjectMatches(pattern, subject), expected, `${pattern} ~ ${subject}`);
});

test('delivers to matching subscribers only, after publish returns, and stops after unsubscribe', async () => {
  const bus = createMemoryBus({ logger: silentLogger() });
  const seen: string[] = [];
  const off = bus.subscribe('vehicle.*.status', (payload, subject) => void seen.push(`${subject}:${(payload as { n: number }).n}`));
  bus.subscribe('vehicle.>', () => {
    throw new Error('a broken subscriber');
  });
  await bus.publish('vehicle.7.status', { n: 1 });
  assert.deepEqual(seen, [], 'subscribers never run on the publisher stack');
  await new Promise((r) => setImmediate(r));
  await bus.publish('vehicle.7.events', { n: 2 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, ['vehicle.7.status:1'], 'a failing subscriber does not affect the others');
  off();
  await bus.publish('vehicle.8.status', { n: 3 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, ['vehicle.7.status:1']);
  assert.equal((await bus.probe()).ok, true);
  await bus.close();
  assert.equal((await bus.probe()).ok, false);
  await assert.rejects(bus.publish('x', 1), (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_BUS_UNAVAILABLE');
});

test('a queue group gets each message once, spread over its members; plain subscribers get all', async () => {
  const bus = createMemoryBus({ logger: silentLogger() });
  const got = { a: 0, b: 0, all: 0 };
  bus.subscribe('telemetry.>', () => void got.a++, { group: 'webhooks' });
  bus.subscribe('telemetry.>', () => void got.b++, { group: 'webhooks' });
  bus.subscribe('telemetry.>', () => void got.all++);
  for (let i = 0; i < 10; i++) await bus.publish(`telemetry.${i}`, { i });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(got.a + got.b, 10);
  assert.ok(got.a > 0 && got.b > 0, 'both members take turns');
  assert.equal(got.all, 10);
  await bus.close();
});
