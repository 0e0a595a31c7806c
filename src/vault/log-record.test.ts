import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatch, encodeBatch, encodeBatchInto, type LogEvent } from './log-record.ts';

const names = ['speed', 'a"quoted\\name', 'ünïcode'];

function event(i: number): LogEvent {
  return {
    vehicleId: String(i), version: 1 + (i % 3), owner: '0x' + 'ab'.repeat(20), id: `e${i}"ü\\`, source: '0xs', type: i % 5 ? 'dimo.status' : 'dimo.events',
    time: 1_763_700_000_000 + i, producer: `did:erc721:1:0xc:${i}`, signer: '0x' + 'cd'.repeat(20), dataversion: i % 2 ? null : 'v1',
    samples: [0, 1_763_700_000_000 + i, 12.5 + i, 1, 1_763_700_000_500 + i, 'text "ü"'], locationSamples: i % 4 ? [] : [2, 1_763_700_000_000 + i, 34],
    points: i % 3 ? [] : [{ ts: 1_763_700_000_000 + i, lat: 52.5, lng: 13.4 }, { ts: 1_763_700_000_001 + i, lat: 1, lng: 2, redacted: true }],
    extra: i % 5 ? null : { vin: 'V', events: [{ name: 'x', value: undefined }] }, rejected: i % 2,
  };
}

test('encodeBatchInto writes the bytes of encodeBatch, reusing and growing its scratch buffer', () => {
  const scratch = { buf: Buffer.alloc(8) };
  for (const n of [0, 1, 7, 400, 3]) {
    const events = Array.from({ length: n }, (_, i) => event(i));
    const bytes = encodeBatchInto(events, names, scratch);
    assert.ok(bytes.equals(Buffer.from(encodeBatch(events, names))), `${n} events`);
    const back = decodeBatch(bytes.toString('utf8'));
    assert.deepEqual(back.names, names);
    assert.deepEqual(back.events.map((e) => [e.id, e.samples, e.points]), events.map((e) => [e.id, e.samples, e.points]));
  }
});
