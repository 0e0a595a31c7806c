import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { Bus } from '../bus/bus.ts';
import { systemClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import { LiveHub } from './live-hub.ts';
import type { LiveUpdate } from './live-update.ts';
import { FakeAccess, FakeAuth, storedBatch } from './testing.ts';

const APP = '0x' + '11'.repeat(20);
const VEHICLE = 7n;

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; extensions?: { code?: string }; message: string };
    return { code: e.extensions?.code ?? e.code ?? '', message: e.message };
  }
  assert.fail('expected a rejection');
}

describe('live hub', () => {
  let bus: Bus;
  let access: FakeAccess;
  let auth: FakeAuth;
  let hub: LiveHub;

  beforeEach(() => {
    bus = createMemoryBus({ logger: silentLogger() });
    access = new FakeAccess(systemClock);
    auth = new FakeAuth();
    hub = new LiveHub({ bus, access, auth, catalog: loadDefaultCatalog(), clock: systemClock, logger: silentLogger(), bufferSize: 16, sweepMs: 200 });
    hub.start();
  });
  afterEach(async () => {
    hub.stop();
    await bus.close();
  });

  const token = (name: string, privileges: number[], expSeconds = 600) =>
    auth.vehicleTokens.set(name, { asset: 'did:x', vehicleId: VEHICLE, grantee: APP, licenseId: '3', privileges, exp: Math.floor(Date.now() / 1000) + expSeconds });

  it('refuses without privilege 6 in the token or in the grant, and for another vehicle', async () => {
    access.grant(APP, VEHICLE, [1, 4]);
    token('no6', [1, 4]);
    assert.equal((await rejection(hub.open({ token: 'no6', tokenId: 7 }))).code, 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN');
    token('t6', [1, 4, 6]);
    assert.equal((await rejection(hub.open({ token: 't6', tokenId: 7 }))).code, 'ODM_ERR_CONSENT_MISSING');
    access.grant(APP, VEHICLE, [1, 4, 6]);
    assert.equal((await rejection(hub.open({ token: 't6', tokenId: 8 }))).code, 'ODM_ERR_LIVE_TOKEN_MISMATCH');
    assert.equal((await rejection(hub.open({ token: undefined, tokenId: 7 }))).code, 'ODM_ERR_AUTH_REQUIRED');
    assert.equal((await rejection(hub.open({ token: 't6', tokenId: 7, filter: { names: ['nope'] } }))).code, 'ODM_ERR_VALIDATION');
    const stream = await hub.open({ token: 't6', tokenId: 7 });
    assert.equal(hub.size, 1);
    await stream.return();
    assert.equal(hub.size, 0);
  });

  it('filters fields by privilege: location needs 3 or 4, approximate with 8 only, non-location needs 1', async () => {
    const batch = () => storedBatch(VEHICLE, [{ time: Date.UTC(2026, 4, 1), signals: { speed: 42, powertrainType: 'ELECTRIC' }, location: [52.5201, 13.4049], locationSignals: { currentLocationAltitude: 34 } }]);
    const read = async (privileges: number[]): Promise<LiveUpdate> => {
      access.grant(APP, VEHICLE, privileges);
      token('t', privileges);
      const stream = await hub.open({ token: 't', tokenId: 7 });
      await bus.publish('telemetry.7', batch());
      const { value } = await stream.next();
      await stream.return();
      return value;
    };
    const nonLocation = await read([1, 6]);
    assert.deepEqual(nonLocation.speed, { timestamp: Date.UTC(2026, 4, 1), value: 42 });
    assert.equal((nonLocation.powertrainType as { value: string }).value, 'ELECTRIC');
    assert.equal(nonLocation.currentLocationCoordinates, undefined);
    assert.equal(nonLocation.currentLocationAltitude, undefined);
    assert.deepEqual(nonLocation.signals.map((s) => s.name).sort(), ['powertrainType', 'speed']);

    const located = await read([4, 6]);
    assert.equal(located.speed, undefined, 'no privilege 1: no non-location signals');
    assert.deepEqual((located.currentLocationCoordinates as { value: unknown }).value, { latitude: 52.5201, longitude: 13.4049, hdop: 0 });
    assert.equal((located.currentLocationAltitude as { value: number }).value, 34);
    assert.equal(located.approximateLocation, false);

    assert.ok(located.currentLocationApproximateCoordinates, 'exact location also reads the approximate field');
    const approx = await read([6, 8]);
    assert.equal(approx.currentLocationCoordinates, undefined, 'privilege 8 alone: no exact coordinates');
    const c = (approx.currentLocationApproximateCoordinates as { value: { latitude: number; longitude: number } }).value;
    assert.ok(c.latitude !== 52.5201 && Math.abs(c.latitude - 52.5201) < 0.1, 'moved to the cell centre, nearby');
    assert.equal(approx.currentLocationAltitude, undefined);
    assert.deepEqual(approx.signals.map((s) => s.name), ['currentLocationApproximateCoordinates']);

    // Only privilege 6: nothing readable, so nothing is sent.
    access.grant(APP, VEHICLE, [6]);
    token('bare', [6]);
    const bare = await hub.open({ token: 'bare', tokenId: 7 });
    await bus.publish('telemetry.7', batch());
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [{ time: 1, signals: {} }]));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(bare.buffered, 0);
    await bare.return();
  });

  it('filters by name and source, and a token without privilege 1 gets no non-location signal even if granted', async () => {
    access.grant(APP, VEHICLE, [1, 4, 6]);
    token('t', [4, 6]);
    const s1 = await hub.open({ token: 't', tokenId: 7 });
    token('t2', [1, 4, 6]);
    const s2 = await hub.open({ token: 't2', tokenId: 7, filter: { names: ['speed'], source: 'src-a' } });
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [
      { time: 1000, source: 'src-b', signals: { speed: 1, exteriorAirTemperature: 20 }, location: [1, 2] },
      { time: 2000, source: 'src-a', signals: { speed: 2, exteriorAirTemperature: 21 } },
    ]));
    const a: LiveUpdate = (await s1.next()).value;
    assert.equal(a.speed, undefined);
    assert.ok(a.currentLocationCoordinates);
    const b: LiveUpdate = (await s2.next()).value;
    assert.equal(b.source, 'src-a');
    assert.deepEqual(b.signals.map((s) => `${s.name}=${s.valueNumber}`), ['speed=2']);
    await s1.return();
    await s2.return();
  });

  it('closes a stream at once when the grant is revoked, and drops what was queued', async () => {
    access.grant(APP, VEHICLE, [1, 6]);
    token('t', [1, 6]);
    const stream = await hub.open({ token: 't', tokenId: 7 });
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [{ time: 1, signals: { speed: 1 } }, { time: 2, signals: { speed: 2 } }]));
    await new Promise((r) => setImmediate(r));
    assert.equal(stream.buffered, 2);
    const started = performance.now();
    access.revoke(APP, VEHICLE);
    const err = await rejection(stream.next());
    assert.equal(err.code, 'ODM_ERR_CONSENT_MISSING');
    assert.ok(performance.now() - started < 50, 'closed on the change signal, not a poll');
    assert.equal(hub.size, 0);
  });

  it('closes when the license stops qualifying, when the vehicle changes hands, and when the token expires', async () => {
    access.grant(APP, VEHICLE, [1, 6]);
    token('t', [1, 6]);
    const s1 = await hub.open({ token: 't', tokenId: 7 });
    access.licenseRefusals.set('3', 'ODM_ERR_LICENSE_UNDERSTAKED');
    access.changed();
    assert.equal((await rejection(s1.next())).code, 'ODM_ERR_LICENSE_UNDERSTAKED');
    access.licenseRefusals.clear();

    const s2 = await hub.open({ token: 't', tokenId: 7 });
    access.vehicles.set(VEHICLE, { owner: '0x' + '0c'.repeat(20), version: 2 });
    access.changed();
    assert.equal((await rejection(s2.next())).code, 'ODM_ERR_VEHICLE_TRANSFERRED');
    access.vehicles.set(VEHICLE, { owner: '0x' + '0a'.repeat(20), version: 1 });

    auth.vehicleTokens.set('short', { asset: 'did:x', vehicleId: VEHICLE, grantee: APP, licenseId: '3', privileges: [1, 6], exp: Math.ceil(Date.now() / 1000) + 1 });
    const s3 = await hub.open({ token: 'short', tokenId: 7 });
    const started = Date.now();
    assert.equal((await rejection(s3.next())).code, 'ODM_ERR_TOKEN_INVALID');
    assert.ok(Date.now() - started < 2100);
  });

  it('closes at the moment the grant expires (timer, not a block)', async () => {
    const expiresAt = Date.now() + 300;
    access.grant(APP, VEHICLE, [1, 6], expiresAt);
    token('t', [1, 6]);
    const stream = await hub.open({ token: 't', tokenId: 7 });
    const err = await rejection(stream.next());
    assert.equal(err.code, 'ODM_ERR_CONSENT_MISSING');
    const late = Date.now() - expiresAt;
    assert.ok(late >= 0 && late < 150, `closed ${late} ms after expiry`);
  });

  it('drops a slow consumer instead of buffering without bound', async () => {
    access.grant(APP, VEHICLE, [1, 6]);
    token('t', [1, 6]);
    const stream = await hub.open({ token: 't', tokenId: 7 });
    const events = Array.from({ length: 40 }, (_, i) => ({ time: i + 1, signals: { speed: i } }));
    await bus.publish('telemetry.7', storedBatch(VEHICLE, events));
    await new Promise((r) => setImmediate(r));
    assert.equal((await rejection(stream.next())).code, 'ODM_ERR_LIVE_SLOW_CONSUMER');
    assert.equal(hub.size, 0);
  });

  it('ignores batches of another owner epoch and vehicles nobody watches', async () => {
    access.grant(APP, VEHICLE, [1, 6]);
    token('t', [1, 6]);
    const stream = await hub.open({ token: 't', tokenId: 7 });
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [{ time: 1, signals: { speed: 1 } }], 0));
    await bus.publish('telemetry.9', storedBatch(9n, [{ time: 1, signals: { speed: 1 } }]));
    await new Promise((r) => setImmediate(r));
    assert.equal(stream.buffered, 0);
    await stream.return();
  });

  it('in a cluster every process pushes every batch to its own streams, beside a queue group that gets each once', async () => {
    // `other` is a second api process on the same bus; `grouped` stands for webhook evaluation.
    const other = new LiveHub({ bus, access, auth, catalog: loadDefaultCatalog(), clock: systemClock, logger: silentLogger(), bufferSize: 16, sweepMs: 200 });
    other.start();
    const grouped: string[] = [];
    const offA = bus.subscribe('telemetry.*', (_p, subject) => void grouped.push(`a:${subject}`), { group: 'webhooks' });
    const offB = bus.subscribe('telemetry.*', (_p, subject) => void grouped.push(`b:${subject}`), { group: 'webhooks' });
    access.grant(APP, VEHICLE, [1, 6]);
    token('t', [1, 6]);
    const here = await hub.open({ token: 't', tokenId: 7 });
    const there = await other.open({ token: 't', tokenId: 7 });
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [{ time: 1_000, signals: { speed: 1 } }]));
    await bus.publish('telemetry.7', storedBatch(VEHICLE, [{ time: 2_000, signals: { speed: 2 } }]));
    for (const stream of [here, there]) {
      const speeds = [(await stream.next()).value.speed, (await stream.next()).value.speed].map((v) => (v as { value: number }).value);
      assert.deepEqual(speeds, [1, 2]);
      await stream.return();
    }
    assert.deepEqual(grouped.sort(), ['a:telemetry.7', 'b:telemetry.7'], 'the group got each batch once, in turn');
    offA();
    offB();
    other.stop();
  });
});
