// Every rule of the data path up to storage, through the real pipeline: worker-thread verification, the
// identity lookup, normalisation, privacy, the vault (SQLite here; vault.test.ts runs both stores) and the bus.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HARNESS_T0, startHarness, type Harness } from '../../../test/support/ingest-harness.ts';
import { compileZone } from '../../privacy/zones.ts';
import { deviceDid, makeDevice, signData, signedEvent, twentySignals, vehicleDid, type TestDevice } from '../testing.ts';
import type { StoredTelemetry } from './stored-telemetry.ts';
import type { EventResult } from './ingest-result.ts';

const T = new Date(HARNESS_T0 - 60_000).toISOString();
let h: Harness;
let dev: TestDevice;
let seq = 0;

before(async () => {
  h = await startHarness({ devices: 3, unpaired: 1 });
  dev = h.devices[0]!;
});
after(() => h.close());

async function ingestOne(text: string, ctx: Parameters<Harness['svc']['pipeline']['ingest']>[1] = { transport: 'http' }): Promise<EventResult> {
  const [results] = await h.svc.pipeline.ingest([Buffer.from(text)], ctx);
  return results![0]!;
}

function status(device = dev, data: unknown = twentySignals(T, 1), extra: Partial<Parameters<typeof signedEvent>[1]> = {}): string {
  return signedEvent(device, { id: `ev-${++seq}`, time: T, data, ...extra });
}

describe('verify', () => {
  it('stores a signed event from a paired device', async () => {
    const r = await ingestOne(status());
    assert.equal(r.status, 'stored', JSON.stringify(r));
    assert.deepEqual(r.signals, { stored: 19, rejected: 0, redacted: 0, withheld: 0, collapsed: 0 }, '18 signals + 1 fused location');
  });

  it('a flipped byte in data is ODM_ERR_SIGNATURE_INVALID', async () => {
    const text = status();
    const at = text.indexOf('"value":', text.indexOf('"data":')) + 8; // first digit of the first value
    const flipped = text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
    assert.notEqual(flipped, text);
    const r = await ingestOne(flipped);
    assert.equal(r.status, 'rejected');
    assert.equal(r.code, 'ODM_ERR_SIGNATURE_INVALID');
  });

  it('whitespace changes inside data break the signature too: the exact bytes are signed', async () => {
    const text = status(dev, { signals: [{ name: 'speed', timestamp: T, value: 1 }] });
    const r = await ingestOne(text.replace('"signals":[', '"signals": ['));
    assert.equal(r.code, 'ODM_ERR_SIGNATURE_INVALID');
  });

  it('a malformed or missing signature has its own reason', async () => {
    const text = status();
    assert.equal((await ingestOne(text.replace(/"signature":"0x[0-9a-f]+"/, '"signature":"0x1234"'))).code, 'ODM_ERR_SIGNATURE_INVALID');
    assert.equal((await ingestOne(text.replace(/"signature":"0x[0-9a-f]+",/, ''))).code, 'ODM_ERR_SIGNATURE_MISSING');
  });

  it('an unknown device is ODM_ERR_DEVICE_UNKNOWN, an unpaired one ODM_ERR_DEVICE_NOT_PAIRED', async () => {
    const stranger = makeDevice('stranger', 1);
    assert.equal((await ingestOne(status(stranger, twentySignals(T, 1), { producer: deviceDid(999_999n) }))).code, 'ODM_ERR_DEVICE_UNKNOWN');
    assert.equal((await ingestOne(status(stranger))).code, 'ODM_ERR_SIGNATURE_INVALID', 'a key that is not the named device\'s');
    const unpaired = h.devices[3]!;
    assert.equal((await ingestOne(status(unpaired))).code, 'ODM_ERR_DEVICE_NOT_PAIRED');
    const other = h.devices[1]!;
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { subject: vehicleDid(other.vehicleTokenId) }))).code, 'ODM_ERR_DEVICE_NOT_PAIRED', 'paired, but to another vehicle');
  });

  it('the producer must name the signing device, and the subject a vehicle on this chain', async () => {
    const other = h.devices[1]!;
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { producer: `did:erc721:31337:0x9c94C395cBcBDe662235E0A9d3bB87Ad708561BA:${other.deviceTokenId}` }))).code, 'ODM_ERR_PRODUCER_MISMATCH');
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { producer: `did:erc721:31337:0x0000000000000000000000000000000000000001:${dev.deviceTokenId}` }))).code, 'ODM_ERR_PRODUCER_MISMATCH');
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { producer: `did:ethr:31337:${dev.address}` }))).status, 'stored', 'did:ethr naming the signer is fine');
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { subject: `did:erc721:1:0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF:${dev.vehicleTokenId}` }))).code, 'ODM_ERR_SUBJECT_UNKNOWN');
    const legacy = `did:nft:31337:0xba5738a18d83d41847dffbdc6101d37c69c9b0cf_${dev.vehicleTokenId}`;
    assert.equal((await ingestOne(status(dev, twentySignals(T, 1), { subject: legacy }))).status, 'stored', 'legacy did:nft subjects are rewritten');
  });

  it('rejects an event from the future, and a signal from the future', async () => {
    const future = new Date(HARNESS_T0 + 6 * 60_000).toISOString();
    const r = await ingestOne(signedEvent(dev, { id: `ev-${++seq}`, time: future, data: twentySignals(future, 1) }));
    assert.equal(r.code, 'ODM_ERR_TIME_IN_FUTURE');
    const mixed = await ingestOne(status(dev, { signals: [{ name: 'speed', timestamp: T, value: 1 }, { name: 'speed', timestamp: future, value: 2 }] }));
    assert.equal(mixed.status, 'stored');
    assert.deepEqual(mixed.errors?.map((e) => e.code), ['ODM_ERR_TIME_IN_FUTURE']);
  });

  it('an MQTT topic naming another device is ODM_ERR_TOPIC_MISMATCH; an mTLS source must match the certificate', async () => {
    assert.equal((await ingestOne(status(), { transport: 'mqtt', topicAddress: h.devices[1]!.address })).code, 'ODM_ERR_TOPIC_MISMATCH');
    assert.equal((await ingestOne(status(), { transport: 'mqtt', topicAddress: dev.address })).status, 'stored');
    assert.equal((await ingestOne(status(), { transport: 'mtls', connection: '0x0000000000000000000000000000000000000001' })).code, 'ODM_ERR_SOURCE_MISMATCH');
  });

  it('accepts data_base64 signed over the decoded bytes', async () => {
    const data = JSON.stringify(twentySignals(T, 3));
    const signed = JSON.parse(status(dev, data)) as Record<string, unknown>;
    delete signed.data;
    signed.data_base64 = Buffer.from(data).toString('base64');
    signed.signature = signData(dev.privateKey, data);
    assert.equal((await ingestOne(JSON.stringify(signed))).status, 'stored');
  });
});

describe('normalize and store', () => {
  it('a mixed event with 18 good and 2 bad signals stores 18 and reports 2', async () => {
    const data = twentySignals(T, 5);
    data.signals[3] = { name: 'speed', timestamp: T, value: 900 } as never; // out of range (and a second speed sample)
    data.signals[7] = { name: 'noSuchSignal', timestamp: T, value: 1 } as never;
    data.signals.splice(18, 2); // 18 plain signals, of which 2 bad
    data.signals.push({ name: 'exteriorAirTemperature', timestamp: T, value: 21 }, { name: 'obdRunTime', timestamp: T, value: 600 });
    assert.equal(data.signals.length, 20);
    const text = signedEvent(h.devices[2]!, { id: 'mixed-18-2', time: T, data });
    const r = await ingestOne(text);
    assert.equal(r.status, 'stored');
    assert.equal(r.signals?.stored, 18);
    assert.equal(r.signals?.rejected, 2);
    assert.deepEqual(r.errors?.map((e) => [e.index, e.name, e.code]), [
      [3, 'speed', 'ODM_ERR_SIGNAL_OUT_OF_RANGE'],
      [7, 'noSuchSignal', 'ODM_ERR_SIGNAL_UNKNOWN'],
    ]);
    await h.svc.vault.flush();
    const chunks = await h.svc.vault.reader.chunks(String(h.devices[2]!.vehicleTokenId), 1);
    const stored = chunks.flatMap((c) => Object.values(c.samples)).reduce((n, s) => n + s.ts.length, 0);
    assert.equal(stored, 18, 'exactly the 18 good signals are in the vault');
    assert.equal(chunks.flatMap((c) => c.events).find((e) => e.id === 'mixed-18-2')?.rejected, 2);
  });

  it('a repeated event is a duplicate, within a batch and across requests, and is stored once', async () => {
    const d = h.devices[1]!;
    const text = signedEvent(d, { id: 'dup-1', time: T, data: twentySignals(T, 9) });
    const [batch] = await h.svc.pipeline.ingest([Buffer.from(`[${text},${text}]`)], { transport: 'http' });
    assert.deepEqual(batch!.map((r) => r.status), ['stored', 'duplicate']);
    assert.equal((await ingestOne(text)).status, 'duplicate');
    await h.svc.vault.flush();
    const events = await h.svc.vault.reader.events(String(d.vehicleTokenId), 1);
    assert.equal(events.filter((e) => e.id === 'dup-1').length, 1);
  });

  it('a batch with any element that is not JSON is rejected whole, and nothing of it is stored', async () => {
    for (const tail of [', tru]', ',]', ', 01]', ', "a\\x"]']) {
      const id = `whole-${++seq}`;
      const [results] = await h.svc.pipeline.ingest([Buffer.from(`[${signedEvent(dev, { id, time: T, data: twentySignals(T, 2) })}${tail}`)], { transport: 'http' });
      assert.deepEqual(results!.map((r) => [r.index, r.status, r.code]), [[-1, 'rejected', 'ODM_ERR_ENVELOPE_INVALID']], tail);
      assert.equal((await ingestOne(signedEvent(dev, { id, time: T, data: twentySignals(T, 2) }))).status, 'stored', `${tail}: not stored before`);
    }
  });

  it('archives non-status events as sent (encrypted) and publishes stored batches on the bus', async () => {
    const d = h.devices[1]!;
    const seen: StoredTelemetry[] = [];
    const unsubscribe = h.bus.subscribe(`telemetry.${d.vehicleTokenId}`, (p) => void seen.push(p as StoredTelemetry));
    const fp = signedEvent(d, { id: 'fp-1', time: T, type: 'dimo.fingerprint', data: { vin: '1HGBH41JXMN109186', protocol: '6' } });
    assert.equal((await ingestOne(fp)).status, 'stored');
    assert.equal((await ingestOne(signedEvent(d, { id: 'bus-1', time: T, data: twentySignals(T, 2) }))).status, 'stored');
    await new Promise((r) => setTimeout(r, 10));
    unsubscribe();
    assert.deepEqual(seen.map((s) => s.events.map((e) => e.id)).flat(), ['fp-1', 'bus-1']);
    const bus1 = seen[1]!.events[0]!;
    assert.equal(bus1.signals.find((s) => s.name === 'speed')?.timestamp, Date.parse(T));
    assert.equal(bus1.locations.length, 1);
    await h.svc.vault.flush();
    const archived = (await h.svc.vault.reader.events(String(d.vehicleTokenId), 1)).find((e) => e.id === 'fp-1');
    assert.deepEqual(archived?.extra, { vin: '1HGBH41JXMN109186', protocol: '6' });
  });

  it('answers ODM_ERR_INGEST_OVERLOADED beyond the in-flight limit', async () => {
    const big = Buffer.alloc(60_000 * 2048, 0x20);
    await assert.rejects(h.svc.pipeline.ingest([big], { transport: 'http' }), /ingesting as fast as it can/);
  });
});

describe('privacy', () => {
  it('opt-out withholds location; zones redact or drop before anything is stored', async () => {
    const [optOut, zoned] = [h.devices[0]!, h.devices[2]!];
    await h.svc.privacy.set(String(optOut.vehicleTokenId), 1, optOut.owner, { locationOptOut: true, zones: [] });
    await h.svc.privacy.set(String(zoned.vehicleTokenId), 1, zoned.owner, {
      locationOptOut: false,
      zones: [{ kind: 'circle', lat: 52.525, lng: 13.405, radiusM: 1000, action: 'redact' }],
    });
    assert.ok(compileZone);
    const r1 = await ingestOne(status(optOut, twentySignals(T, 11, [52.525, 13.405])));
    assert.equal(r1.signals?.withheld, 1);
    const r2 = await ingestOne(status(zoned, twentySignals(T, 12, [52.5251, 13.4049])));
    assert.equal(r2.signals?.redacted, 1);
    await h.svc.vault.flush();
    const pts = (await h.svc.vault.reader.locations(String(zoned.vehicleTokenId), 1)).points.filter((p) => p.redacted);
    assert.equal(pts.length, 1);
    assert.notEqual(pts[0]!.lat, 52.5251);
    const optPts = (await h.svc.vault.reader.locations(String(optOut.vehicleTokenId), 1)).points;
    assert.equal(optPts.filter((p) => p.lat === 52.525).length, 0, 'nothing stored after the opt-out');
    assert.deepEqual(await h.svc.privacy.get(String(zoned.vehicleTokenId), 1), {
      locationOptOut: false, zones: [{ kind: 'circle', lat: 52.525, lng: 13.405, radiusM: 1000, action: 'redact' }],
    });
  });
});
