// Owner sign-in over real HTTP on a real node: Sign-In with Ethereum round trip to an owner token and
// /v1/owner/me from the identity mirror; every refusal with its code (replay, expiry, wrong domain,
// wrong signer, bad or expired tokens); contract wallets through ERC-1271; the token key sealed at rest.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { createTestClient, http, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { parseSiweMessage } from 'viem/siwe';
import { loadOrCreateOwnerSigningKey } from '../../src/api/auth/owner-signing-key.ts';
import { startOwnerNode, type OwnerNode } from './support/owner-node.ts';

let n: OwnerNode;
before(async () => {
  n = await startOwnerNode();
});
after(() => n?.stop());

const fresh = () => privateKeyToAccount(generatePrivateKey());
const port = () => new URL(n.baseUrl).port;

async function challenge(address: string) {
  const r = await n.call('POST', '/v1/owner/auth/challenge', { body: { address } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json as { message: string; nonce: string; expiresAt: number };
}

const verify = (message: string, signature: string) => n.call('POST', '/v1/owner/auth/verify', { body: { message, signature } });

describe('Sign-In with Ethereum', () => {
  it('challenge → wallet signature → owner token → /v1/owner/me with the vehicles the mirror says they own', async () => {
    const alice = n.chain.actors.alice;
    const c = await challenge(alice.address);
    const m = parseSiweMessage(c.message);
    assert.equal(m.domain, `127.0.0.1:${port()}`);
    assert.equal(m.uri, `http://127.0.0.1:${port()}`);
    assert.equal(m.address, alice.address, 'EIP-55 checksummed');
    assert.equal(m.version, '1');
    assert.equal(m.chainId, n.node.services.chain.chainId);
    assert.equal(m.nonce, c.nonce);
    assert.match(c.nonce, /^[0-9a-f]{32}$/);
    assert.equal(m.issuedAt!.getTime(), n.clock.now());
    assert.equal(m.expirationTime!.getTime(), c.expiresAt);
    assert.equal(c.expiresAt - n.clock.now(), 5 * 60_000);
    assert.match(c.message, /^127\.0\.0\.1:\d+ wants you to sign in with your Ethereum account:\n0x/);

    const signature = await alice.signMessage({ message: c.message });
    const r = await verify(c.message, signature);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const { token, expiresAt } = r.json as { token: string; expiresAt: number };
    assert.ok(Math.abs(expiresAt - (n.clock.now() + 3_600_000)) < 1000);
    assert.deepEqual(decodeProtectedHeader(token).alg, 'ES256');
    const claims = decodeJwt(token);
    assert.equal(claims.sub, alice.address.toLowerCase());
    assert.equal(claims.aud, 'opendimo-owner');
    assert.deepEqual(claims.amr, ['siwe']);

    const before = await n.call('GET', '/v1/owner/me', { token });
    assert.equal(before.status, 200);
    assert.equal(before.json.address, alice.address.toLowerCase());
    const vehicleId = await n.chain.mintVehicle(alice);
    const other = await n.chain.mintVehicle(n.chain.actors.bob);
    await n.mirrored();
    const me = await n.call('GET', '/v1/owner/me', { token });
    assert.deepEqual(me.json, { address: alice.address.toLowerCase(), vehicles: [...before.json.vehicles, String(vehicleId)] });
    assert.ok(!me.json.vehicles.includes(String(other)));

    // The same signed message again: the nonce is spent.
    const replay = await verify(c.message, signature);
    assert.equal(replay.status, 409);
    assert.equal(replay.json.code, 'ODM_ERR_NONCE_INVALID');
  });

  it('refuses a wrong signer (and the nonce survives for the right one), another domain, another chain, garbage', async () => {
    const alice = fresh();
    const c = await challenge(alice.address);
    const wrong = await verify(c.message, await fresh().signMessage({ message: c.message }));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.code, 'ODM_ERR_SIGNATURE_INVALID');
    assert.equal((await verify(c.message, '0x1234')).json.code, 'ODM_ERR_SIGNATURE_INVALID');
    assert.equal((await verify(c.message, await alice.signMessage({ message: c.message }))).status, 200, 'a failed attempt does not burn the nonce');

    // A phishing site's message, signed by the real owner: same nonce, another domain.
    const c2 = await challenge(alice.address);
    const phished = c2.message.replaceAll(`127.0.0.1:${port()}`, 'wallet-rewards.example');
    const elsewhere = await verify(phished, await alice.signMessage({ message: phished }));
    assert.equal(elsewhere.status, 401);
    assert.equal(elsewhere.json.code, 'ODM_ERR_SIWE_DOMAIN');
    assert.equal(elsewhere.headers.get('www-authenticate'), null, 'a sign-in refusal is not a bearer challenge');

    const chain = c2.message.replace(/Chain ID: \d+/, 'Chain ID: 1');
    assert.equal((await verify(chain, await alice.signMessage({ message: chain }))).json.code, 'ODM_ERR_SIWE_MESSAGE_INVALID');
    assert.equal((await verify('hello', '0x00')).json.code, 'ODM_ERR_SIWE_MESSAGE_INVALID');
    const someoneElses = c2.message.replace(alice.address, n.chain.actors.bob.address);
    const other = await verify(someoneElses, await n.chain.actors.bob.signMessage({ message: someoneElses }));
    assert.equal(other.status, 409, 'the nonce was issued to alice');
    assert.equal(other.json.code, 'ODM_ERR_NONCE_INVALID');
    const unknown = c2.message.replace(c2.nonce, 'a'.repeat(32));
    assert.equal((await verify(unknown, await alice.signMessage({ message: unknown }))).json.code, 'ODM_ERR_NONCE_INVALID');
    assert.equal((await n.call('POST', '/v1/owner/auth/challenge', { body: { address: 'alice' } })).json.code, 'ODM_ERR_VALIDATION');
    assert.equal((await n.call('POST', '/v1/owner/auth/verify', { body: {} })).json.code, 'ODM_ERR_VALIDATION');
  });

  it('uses the Host the owner came to when it is one of the node\'s names', async () => {
    // fetch will not send another Host, so this goes through node:http.
    const withHost = (host: string) => new Promise<{ message: string }>((resolve, reject) => {
      const body = JSON.stringify({ address: fresh().address });
      const req = request(`${n.baseUrl}/v1/owner/auth/challenge`, { method: 'POST', headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { message: string }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(parseSiweMessage((await withHost(`localhost:${port()}`)).message).domain, `localhost:${port()}`);
    assert.equal(parseSiweMessage((await withHost('evil.example')).message).domain, `127.0.0.1:${port()}`);
  });

  it('refuses an expired message and an expired challenge', async () => {
    const alice = fresh();
    const c = await challenge(alice.address);
    const signature = await alice.signMessage({ message: c.message });
    n.clock.advance(5 * 60_000 + 1);
    const late = await verify(c.message, signature);
    assert.equal(late.status, 400);
    assert.equal(late.json.code, 'ODM_ERR_SIGNATURE_EXPIRED');
    // A client-built message with a later expiration cannot stretch the node's nonce either.
    const c2 = await challenge(alice.address);
    const stretched = c2.message.replace(/Expiration Time: .*/, `Expiration Time: ${new Date(n.clock.now() + 3_600_000).toISOString()}`);
    n.clock.advance(5 * 60_000 + 1);
    const r = await verify(stretched, await alice.signMessage({ message: stretched }));
    assert.equal(r.json.code, 'ODM_ERR_SIGNATURE_EXPIRED');
  });

  it('accepts a contract wallet that approves the signature (ERC-1271) and refuses one that does not', async () => {
    const test = createTestClient({ mode: 'anvil', transport: http(n.node.services.chain.rpcUrl) });
    // Runtime code answering every call with 0x1626ba7e (isValidSignature's magic value), or with zero.
    const approving = '0x' + '77'.repeat(20) as Hex;
    const refusing = '0x' + '78'.repeat(20) as Hex;
    await test.setCode({ address: approving, bytecode: '0x631626ba7e60e01b60005260206000f3' });
    await test.setCode({ address: refusing, bytecode: '0x60206000f3' });
    const signer = fresh();
    const c = await challenge(approving);
    const ok = await verify(c.message, await signer.signMessage({ message: c.message }));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(decodeJwt(ok.json.token).sub, approving);
    const c2 = await challenge(refusing);
    const no = await verify(c2.message, await signer.signMessage({ message: c2.message }));
    assert.equal(no.json.code, 'ODM_ERR_SIGNATURE_INVALID');
  });
});

describe('owner tokens', () => {
  it('answer 401 ODM_ERR_AUTH_REQUIRED with WWW-Authenticate: Bearer when missing, malformed, forged or expired', async () => {
    const missing = await n.call('GET', '/v1/owner/me');
    assert.equal(missing.status, 401);
    assert.equal(missing.json.code, 'ODM_ERR_AUTH_REQUIRED');
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer realm="opendimo"');

    const garbage = await n.call('GET', '/v1/owner/me', { token: 'not.a.jwt' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.headers.get('www-authenticate'), 'Bearer realm="opendimo", error="invalid_token"');
    assert.equal((await n.call('GET', '/v1/owner/me', { headers: { authorization: 'Basic abc' } })).status, 401);

    const alice = fresh();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({ amr: ['siwe'] }).setProtectedHeader({ alg: 'ES256' }).setIssuer('opendimo').setAudience('opendimo-owner')
      .setSubject(alice.address.toLowerCase()).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    assert.equal((await n.call('GET', '/v1/owner/me', { token: forged })).json.code, 'ODM_ERR_AUTH_REQUIRED');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: alice.address.toLowerCase(), aud: 'opendimo-owner' })).toString('base64url')}.`;
    assert.equal((await n.call('GET', '/v1/owner/me', { token: none })).status, 401);

    // The node's own key, but for another audience.
    const key = await loadOrCreateOwnerSigningKey(n.node.services.store.db, n.node.services.kek, n.clock.now());
    const otherAudience = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer('opendimo').setAudience('opendimo-app')
      .setSubject(alice.address.toLowerCase()).setIssuedAt(Math.floor(n.clock.now() / 1000)).setExpirationTime(Math.floor(n.clock.now() / 1000) + 600).sign(key.privateKey);
    assert.equal((await n.call('GET', '/v1/owner/me', { token: otherAudience })).status, 401);

    const token = await n.signIn(alice);
    assert.equal((await n.call('GET', '/v1/owner/me', { token })).status, 200);
    n.clock.advance(59 * 60_000);
    assert.equal((await n.call('GET', '/v1/owner/me', { token })).status, 200, 'still valid before the hour is up');
    n.clock.advance(60_001);
    const expired = await n.call('GET', '/v1/owner/me', { token });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.code, 'ODM_ERR_AUTH_REQUIRED');
    assert.equal(expired.json.details.reason, 'expired');
  });

  it('are signed with a key kept sealed in the database, never in plaintext', async () => {
    const { store, kek } = n.node.services;
    const row = await store.db.selectFrom('node_keys').selectAll().where('purpose', '=', 'owner-jwt-key').executeTakeFirstOrThrow();
    const key = await loadOrCreateOwnerSigningKey(store.db, kek, n.clock.now());
    assert.equal(key.kid, row.kid, 'the stored key is the one in use');
    const der = key.privateKey.export({ format: 'der', type: 'pkcs8' });
    const pem = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const d = Buffer.from(key.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const needles: Array<[string, Buffer]> = [
      ['PKCS#8 DER', der], ['PEM body', Buffer.from(pem.split('\n')[1]!)], ['base64 DER', Buffer.from(der.toString('base64').slice(0, 40))],
      ['raw scalar', d], ['hex scalar', Buffer.from(d.toString('hex'))], ['base64url scalar', Buffer.from(d.toString('base64url'))],
    ];
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else {
          const bytes = readFileSync(p);
          for (const [what, needle] of needles) if (bytes.includes(needle)) found.push(`${what} in ${p.slice(n.dataDir.length + 1)}`);
        }
      }
    };
    walk(n.dataDir);
    assert.deepEqual(found, []);
    await assert.rejects(loadOrCreateOwnerSigningKey(store.db, Buffer.alloc(32, 7), n.clock.now()), { code: 'ODM_ERR_CONFIG_INVALID' }, 'another KEK cannot open it');
  });
});
