import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanDocument, SCAN_DUPLICATE, SCAN_ESCAPED_NAME, SCAN_NO_DATA, SCAN_NO_SIGNATURE, SCAN_NOT_OBJECT, SCAN_OK, type ScannedEvent } from './json-scan.ts';

function scan(text: string): { ok: boolean; events: Array<ScannedEvent & { data: string; sig: string }> } {
  const b = Buffer.from(text);
  const events: Array<ScannedEvent & { data: string; sig: string }> = [];
  const ok = scanDocument(b, 0, b.length, (e) =>
    events.push({ ...e, data: e.dataStart >= 0 ? b.subarray(e.dataStart, e.dataEnd).toString() : '', sig: e.sigStart >= 0 ? b.subarray(e.sigStart, e.sigEnd).toString() : '' }),
  );
  return { ok, events };
}

test('finds the exact bytes of data and the signature, whatever surrounds them', () => {
  const data = '{ "signals" : [ {"name":"speed","value":"1,2]}\\"\\\\"}, [1, {"a":[]}] ], "x": null }';
  const text = ` {"id":"a}\\"[","nested":{"data":"decoy","signature":"decoy"},"signature":"0xab","data":${data},"after":[{"data":1}]} `;
  const { ok, events } = scan(text);
  assert.equal(ok, true);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.status, SCAN_OK);
  assert.equal(events[0]!.data, data, 'nested "data" keys and strings with brackets do not confuse the scan');
  assert.equal(events[0]!.sig, '0xab');
  assert.deepEqual(JSON.parse(events[0]!.data), JSON.parse(text).data);
});

test('scans each element of a batch, scalar data and data_base64', () => {
  const { ok, events } = scan('[{"data":42,"signature":"s1"},\n{"signature":"s2","data_base64":"e30="}, 7, {"data":"x"}]');
  assert.equal(ok, true);
  assert.deepEqual(events.map((e) => [e.status, e.data, e.sig, e.base64]), [
    [SCAN_OK, '42', 's1', false],
    [SCAN_OK, 'e30=', 's2', true],
    [SCAN_NOT_OBJECT, '', '', false],
    [SCAN_NO_SIGNATURE, '"x"', '', false],
  ]);
});

test('refuses escaped attribute names and repeated data or signature', () => {
  assert.equal(scan('{"d\\u0061ta":{"a":1},"data":{},"signature":"s"}').events[0]!.status, SCAN_ESCAPED_NAME);
  assert.equal(scan('{"data":{},"data":{"evil":1},"signature":"s"}').events[0]!.status, SCAN_DUPLICATE);
  assert.equal(scan('{"data":{},"signature":"a","signature":"b"}').events[0]!.status, SCAN_DUPLICATE);
  assert.equal(scan('{"signature":"a"}').events[0]!.status, SCAN_NO_DATA);
  assert.equal(scan('{}').events[0]!.status, SCAN_NO_DATA);
});

test('reports documents that are not JSON objects or arrays', () => {
  for (const bad of ['', 'null', '"x"', '{"data":', '[{"data":1,"signature":"s"}', '{"data":1} x']) assert.equal(scan(bad).ok, false, bad);
  assert.deepEqual(scan('[]'), { ok: true, events: [] });
});

test('gives the byte range of every element, so each event can be parsed on its own', () => {
  const text = ' [ {"data":{"a":[1]},"signature":"s"} ,\n 7 ,{"x":"}"} ] ';
  const b = Buffer.from(text);
  const { events } = scan(text);
  assert.deepEqual(events.map((e) => b.subarray(e.start, e.end).toString()), ['{"data":{"a":[1]},"signature":"s"}', '7', '{"x":"}"}']);
  // A trailing comma scans as an empty element, which then fails to parse like the whole document does.
  const trailing = scan('[{"data":1,"signature":"s"},]');
  assert.equal(trailing.ok, true);
  assert.deepEqual(trailing.events.map((e) => e.end - e.start), [26, 0]);
});
