import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { formatAssetDid, parseAssetDid } from './asset-did.ts';
import { canonicalJson } from './canonical-json.ts';
import { buildSacdDocument, canonicalSacdBytes, sacdHash, sacdPermissionsMask, signSacdDocument, verifySacdDocument, type SacdDocument } from './sacd-document.ts';

const grantor = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const stranger = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const grantee = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const vehicles = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

function sampleDoc(): SacdDocument {
  return buildSacdDocument({
    grantor: grantor.address,
    grantee: grantee.toLowerCase() as `0x${string}`,
    asset: { chainId: 31337, contract: vehicles, tokenId: 7n },
    permissions: [4, 1, 3, 1],
    purpose: 'Insurance quote',
    expiration: 1_900_000_000,
    streams: [{ signal: 'speed', frequency: '1s' }],
    id: 'c0ffee',
    time: new Date('2025-01-02T03:04:05.000Z'),
  });
}

test('builds a CloudEvents 1.0 dimo.sacd event with normalised data', () => {
  const doc = sampleDoc();
  assert.equal(doc.specversion, '1.0');
  assert.equal(doc.type, 'dimo.sacd');
  assert.equal(doc.datacontenttype, 'application/json');
  assert.equal(doc.time, '2025-01-02T03:04:05.000Z');
  assert.equal(doc.source, `did:ethr:31337:${grantor.address}`);
  assert.equal(doc.data.asset, `did:erc721:31337:${vehicles}:7`);
  assert.equal(doc.data.grantee, grantee);
  assert.deepEqual(doc.data.permissions, [1, 3, 4]);
  assert.equal(sacdPermissionsMask(doc), 972n);
  assert.equal(doc.signature, undefined);
});

test('canonical bytes are sorted-key JSON without the signature, and sacdHash is their keccak256', async () => {
  const doc = sampleDoc();
  const text = new TextDecoder().decode(canonicalSacdBytes(doc));
  assert.equal(text, canonicalJson(JSON.parse(JSON.stringify(doc))));
  assert.ok(text.startsWith('{"data":{"asset":'));
  assert.ok(!/\s/.test(text.replace(/"[^"]*"/g, '""')));
  assert.equal(sacdHash(doc), keccak256(toHex(text)));
  const signed = await signSacdDocument(doc, grantor);
  assert.equal(sacdHash(signed), sacdHash(doc));
  // Key order of the incoming JSON does not matter.
  const reordered = JSON.parse(JSON.stringify({ data: signed.data, signature: signed.signature, type: signed.type, id: signed.id, time: signed.time, source: signed.source, specversion: '1.0', datacontenttype: 'application/json' }));
  assert.equal(sacdHash(reordered), sacdHash(doc));
});

test('a signed document verifies to its grantor, also after a JSON round trip', async () => {
  const signed = await signSacdDocument(sampleDoc(), grantor);
  assert.match(signed.signature!, /^0x[0-9a-f]{130}$/);
  assert.deepEqual(await verifySacdDocument(JSON.parse(JSON.stringify(signed))), { ok: true, grantor: grantor.address });
});

test('tampering, a foreign signer or no signature → ODM_ERR_SIGNATURE_INVALID', async () => {
  const signed = await signSacdDocument(sampleDoc(), grantor);
  const tampered = { ...signed, data: { ...signed.data, permissions: [1, 2, 3, 4] as SacdDocument['data']['permissions'] } };
  await assert.rejects(verifySacdDocument(tampered), { code: 'ODM_ERR_SIGNATURE_INVALID' });
  const foreign = { ...signed, signature: await stranger.signMessage({ message: { raw: canonicalSacdBytes(signed) } }) };
  await assert.rejects(verifySacdDocument(foreign), { code: 'ODM_ERR_SIGNATURE_INVALID' });
  await assert.rejects(verifySacdDocument(sampleDoc()), { code: 'ODM_ERR_SIGNATURE_INVALID' });
  await assert.rejects(verifySacdDocument({ ...signed, signature: '0x1234' }), { code: 'ODM_ERR_SIGNATURE_INVALID' });
});

test('only the grantor may sign', async () => {
  await assert.rejects(signSacdDocument(sampleDoc(), stranger), { code: 'ODM_ERR_SACD_INVALID' });
});

test('malformed documents → ODM_ERR_SACD_INVALID', async () => {
  const doc = sampleDoc();
  const cases: unknown[] = [
    null,
    { ...doc, type: 'dimo.other' },
    { ...doc, specversion: '0.3' },
    { ...doc, extra: 1 },
    { ...doc, data: { ...doc.data, permissions: [1, 9] } },
    { ...doc, data: { ...doc.data, permissions: [1, 1] } },
    { ...doc, data: { ...doc.data, permissions: [] } },
    { ...doc, data: { ...doc.data, asset: 'did:erc721:1:0x12:1' } },
    { ...doc, data: { ...doc.data, grantee: 'nobody' } },
    { ...doc, data: { ...doc.data, expiration: 1.5 } },
    { ...doc, data: { ...doc.data, purpose: '' } },
    { ...doc, data: { ...doc.data, vin: '1HGCM82633A004352' } },
    { ...doc, data: { ...doc.data, streams: [{ signal: 'speed' }] } },
  ];
  for (const bad of cases) {
    await assert.rejects(verifySacdDocument(bad), { code: 'ODM_ERR_SACD_INVALID' }, JSON.stringify(bad)?.slice(0, 80));
  }
  assert.throws(() => buildSacdDocument({ grantor: grantor.address, grantee, asset: 'did:erc721:1:x:1', permissions: [1], purpose: 'p', expiration: 1 }), { code: 'ODM_ERR_VALIDATION' });
  assert.throws(() => buildSacdDocument({ grantor: grantor.address, grantee, asset: doc.data.asset, permissions: [0], purpose: 'p', expiration: 1 }), { code: 'ODM_ERR_PRIVILEGE_UNKNOWN' });
  assert.throws(() => buildSacdDocument({ grantor: grantor.address, grantee, asset: doc.data.asset, permissions: [], purpose: 'p', expiration: 1 }), { code: 'ODM_ERR_SACD_INVALID' });
});

test('asset DIDs round-trip with a checksummed contract', () => {
  const ref = parseAssetDid(`did:erc721:137:${vehicles.toLowerCase()}:12345678901234567890`);
  assert.deepEqual(ref, { chainId: 137, contract: vehicles, tokenId: 12345678901234567890n });
  assert.equal(formatAssetDid(ref), `did:erc721:137:${vehicles}:12345678901234567890`);
  for (const bad of ['did:erc721:0:0x5FbDB2315678afecb367f032d93F642f64180aa3:1', 'did:erc721:1:0x5FbDB2315678afecb367f032d93F642f64180aa3:01', 'did:ethr:1:0x5FbDB2315678afecb367f032d93F642f64180aa3']) {
    assert.throws(() => parseAssetDid(bad), { code: 'ODM_ERR_VALIDATION' });
  }
});
