// The shareable opt-in link: what the developer console encodes is what the consent page decodes, and a
// damaged or incomplete link is refused with a reason the owner can read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeRequest, encodeRequest, type ConsentRequest } from '../../web/src/consent/consent-request.ts';
import { privilegesToMask } from '../../web/src/consent/privileges.ts';
import { canonicalJson } from '../../web/src/consent/sacd.ts';
import { canonicalJson as nodeCanonicalJson } from '../../src/consent/canonical-json.ts';
import { privilegesToMask as nodeMask } from '../../src/consent/privileges.ts';

const request: ConsentRequest = {
  v: 1, licenseId: '7', grantee: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privileges: [4, 1, 4],
  streams: [{ signal: 'speed', frequency: '1m' }], purpose: 'Trip logbook — für die Steuer', durationDays: 90,
};

test('a request survives the link, privileges sorted and de-duplicated', () => {
  const text = encodeRequest(request);
  assert.match(text, /^[A-Za-z0-9_-]+$/, 'URL-safe without escaping');
  assert.deepEqual(decodeRequest(text), { ...request, privileges: [1, 4] });
});

test('damaged or incomplete links are refused', () => {
  assert.throws(() => decodeRequest(''), /does not carry a request/);
  assert.throws(() => decodeRequest('not base64!'), /does not carry a request/);
  assert.throws(() => decodeRequest(encodeRequest({ ...request, privileges: [9] })), /malformed/);
  assert.throws(() => decodeRequest(encodeRequest({ ...request, purpose: ' ' })), /malformed/);
  assert.throws(() => decodeRequest(encodeRequest({ ...request, grantee: '0x123' })), /malformed/);
});

test('the browser signs the same bytes and masks the node checks', () => {
  const doc = { b: [1, { z: 1, a: 'x' }], a: null, c: 'é', d: undefined };
  assert.equal(canonicalJson(doc), nodeCanonicalJson(doc));
  assert.equal(privilegesToMask([1, 4, 8]), nodeMask([1, 4, 8]));
});
