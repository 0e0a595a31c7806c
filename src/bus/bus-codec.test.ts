import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storedBatch } from '../live/testing.ts';
import { decodePayload, encodePayload } from './bus-codec.ts';

describe('bus codec', () => {
  it('carries the telemetry batch ingest publishes as its JSON shape (what subscribers read)', () => {
    const batch = storedBatch(14n, [{ time: 1_700_000_000_000, signals: { speed: 150 }, location: [52.5, 13.4] }], 3);
    const back = decodePayload(encodePayload(batch)) as typeof batch;
    assert.deepEqual(back, JSON.parse(JSON.stringify(batch)));
    assert.equal(back.vehicleTokenId, '14');
    assert.equal(back.ownerVersion, 3);
    assert.equal(back.events[0]!.signals[0]!.name, 'speed');
    assert.equal(back.events[0]!.signals[0]!.value, 150);
    assert.deepEqual(back.events[0]!.locations[0], { timestamp: 1_700_000_000_000, latitude: 52.5, longitude: 13.4, redacted: false });
  });

  it('round-trips bigint, bytes, dates and non-finite numbers that JSON alone would lose', () => {
    const payload = { id: 2n ** 70n, raw: Buffer.from([0, 1, 255]), u8: new Uint8Array([9, 8]), at: new Date(1234), nan: Number.NaN, inf: -Infinity, list: [1n, 'x', null] };
    const back = decodePayload(encodePayload(payload)) as Record<string, unknown>;
    assert.equal(back.id, 2n ** 70n);
    assert.deepEqual(back.raw, Buffer.from([0, 1, 255]));
    assert.deepEqual(Buffer.from(back.u8 as Uint8Array), Buffer.from([9, 8]));
    assert.equal((back.at as Date).getTime(), 1234);
    assert.ok(Number.isNaN(back.nan));
    assert.equal(back.inf, -Infinity);
    assert.deepEqual(back.list, [1n, 'x', null]);
  });

  it('refuses objects that use the tag key rather than corrupting them', () => {
    assert.throws(() => encodePayload({ $odm: 'bigint', v: '1' }), /\$odm/);
  });
});
