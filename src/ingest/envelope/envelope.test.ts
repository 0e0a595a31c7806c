import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnvelope, type Envelope, type Rejection } from './envelope.ts';

const NOW = Date.UTC(2026, 4, 1, 12);
const rules = { now: NOW, maxFutureMs: 300_000, maxAgeMs: 30 * 86_400_000 };
const base = {
  specversion: '1.0', type: 'dimo.status', source: '0x1234567890abcdef1234567890abcdef12345678',
  subject: 'did:erc721:137:0xba5738a18d83d41847dffbdc6101d37c69c9b0cf:42',
  producer: 'did:erc721:137:0x9c94c395cbcbde662235e0a9d3bb87ad708561ba:7',
  id: '2pcYwspbaBFJ7NPGZ2kivkuJ12a', time: '2026-05-01T11:59:00.123456789Z', dataversion: 'default/v1.0', signature: '0x00', data: {},
};

function read(over: Record<string, unknown>): Envelope | Rejection {
  return readEnvelope({ ...base, ...over }, rules);
}
function code(over: Record<string, unknown>): string | undefined {
  const r = read(over);
  return 'code' in r ? r.code : undefined;
}

test('canonicalises DIDs and the source address, and parses time to milliseconds', () => {
  const e = read({}) as Envelope;
  assert.equal(e.subject, 'did:erc721:137:0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF:42');
  assert.equal(e.subjectDid.tokenId, 42n);
  assert.equal(e.producer, 'did:erc721:137:0x9c94C395cBcBDe662235E0A9d3bB87Ad708561BA:7');
  assert.equal(e.source, '0x1234567890AbcdEF1234567890aBcdef12345678');
  assert.equal(e.time, Date.UTC(2026, 4, 1, 11, 59, 0, 123));
  const legacy = read({ subject: 'did:nft:137:0xbA5738a18d83D41847dfFbDC6101d37C69c9B0cF_42' }) as Envelope;
  assert.equal(legacy.subject, e.subject, 'legacy did:nft is rewritten to did:erc721');
  const ethr = read({ producer: 'did:ethr:137:0x9c94c395cbcbde662235e0a9d3bb87ad708561ba' }) as Envelope;
  assert.equal(ethr.producer, 'did:ethr:137:0x9c94C395cBcBDe662235E0A9d3bB87Ad708561BA');
});

test('enforces the clock-skew window and the oldest accepted time', () => {
  assert.equal(code({ time: new Date(NOW + 299_000).toISOString() }), undefined);
  assert.equal(code({ time: new Date(NOW + 301_000).toISOString() }), 'ODM_ERR_TIME_IN_FUTURE');
  assert.equal(code({ time: '2026-05-01T14:30:00+02:00' }), 'ODM_ERR_TIME_IN_FUTURE', 'offsets count');
  assert.equal(code({ time: new Date(NOW - 31 * 86_400_000).toISOString() }), 'ODM_ERR_TIME_TOO_OLD');
  assert.equal(code({ time: '2026-05-01 11:59:00' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ time: 1777636740000 }), 'ODM_ERR_ENVELOPE_INVALID');
});

test('checks required attributes, identifiers, types and sizes', () => {
  assert.equal(code({ specversion: '0.3' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ id: '' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ id: 'has space' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ id: 'x'.repeat(129) }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ id: 'a-b_c.d:e~f+g=h@i' }), undefined);
  assert.equal(code({ source: 'has "quote"' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ source: '0x123' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ type: 'com.example.thing' }), 'ODM_ERR_TYPE_UNSUPPORTED');
  assert.equal(code({ type: 'DIMO STATUS' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ subject: 'did:erc721:137:0x12:1' }), 'ODM_ERR_DID_INVALID');
  assert.equal(code({ subject: 'did:ethr:137:0xba5738a18d83d41847dffbdc6101d37c69c9b0cf' }), 'ODM_ERR_DID_INVALID');
  assert.equal(code({ producer: undefined }), 'ODM_ERR_DID_INVALID');
  assert.equal(code({ datacontenttype: 'text/plain' }), 'ODM_ERR_ENVELOPE_INVALID');
  assert.equal(code({ Bad_Ext: 1 }), 'ODM_ERR_ENVELOPE_INVALID', 'extension names are lowercase alphanumerics');
  assert.equal(code({ myext: 'x'.repeat(5000) }), 'ODM_ERR_ENVELOPE_TOO_LARGE');
  assert.equal((readEnvelope([base], rules) as Rejection).code, 'ODM_ERR_ENVELOPE_INVALID');
});
