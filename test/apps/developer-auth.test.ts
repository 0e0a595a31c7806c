// Developer sign-in with a license API key and the token exchange, over real HTTP against a node on
// anvil: DIMO's request/response shapes, tokens verifiable with the published JWKS, and every refusal
// with its stable code (bad signature, unknown or expired signer, unregistered redirect URI, replayed or
// expired state; unknown privilege, missing grant, understaked license); per-license rate limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { REDIRECT, startAppNode, type AppLicense, type AppNode } from './support/app-node.ts';

let n: AppNode;
let lic: AppLicense;
let vehicle: bigint;

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  lic = await n.appLicense(app);
  vehicle = await n.mintVehicle(alice);
  await n.chain.grant(alice, vehicle, app.address, [1, 4]);
  await n.mirrored();
});
after(() => n?.stop());

const challenge = (client: string, domain = REDIRECT) =>
  n.call('POST', '/auth/web3/generate_challenge', { query: { client_id: client, domain, scope: 'openid email', response_type: 'code', address: client } });
const submit = (client: string, state: string, signature: string, domain = REDIRECT) =>
  n.call('POST', '/auth/web3/submit_challenge', { form: { client_id: client, domain, grant_type: 'authorization_code', state, signature } });

describe('developer sign-in (POST /auth/web3/…)', () => {
  it('answers DIMO shapes with a developer JWT the JWKS verifies', async () => {
    const gen = await challenge(lic.holder.address);
    assert.equal(gen.status, 200);
    assert.match(gen.json.state, /^[0-9a-f]{32}$/);
    assert.match(gen.json.challenge, new RegExp(`Nonce: ${gen.json.state}`));
    const sub = await submit(lic.holder.address, gen.json.state, await lic.signer.signMessage({ message: gen.json.challenge }));
    assert.equal(sub.status, 200, JSON.stringify(sub.json));
    assert.equal(sub.json.token_type, 'Bearer');
    assert.equal(sub.json.expires_in, 3600);
    assert.equal(typeof sub.json.id_token, 'string');
    assert.equal(sub.headers.get('cache-control'), 'no-store');
    const claims = decodeJwt(sub.json.access_token);
    assert.equal(claims.ethereum_address, getAddress(lic.holder.address), 'the SDK reads the client id here');
    assert.equal(claims.license_id, lic.licenseId.toString());
    assert.equal(claims.signer, lic.signer.address.toLowerCase());

    const jwks = await n.call('GET', '/.well-known/jwks.json');
    assert.deepEqual((await n.call('GET', '/keys')).json, jwks.json);
    const { payload, protectedHeader } = await jwtVerify(sub.json.access_token, createLocalJWKSet(jwks.json), { issuer: n.baseUrl, currentDate: new Date(n.clock.now()) });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, getAddress(lic.holder.address));
    const oidc = await n.call('GET', '/.well-known/openid-configuration');
    assert.equal(oidc.json.jwks_uri, `${n.baseUrl}/keys`);
  });

  it('accepts the first call as a form body and the second as JSON too', async () => {
    const gen = await n.call('POST', '/auth/web3/generate_challenge', { form: { client_id: lic.holder.address, domain: REDIRECT, response_type: 'code' } });
    assert.equal(gen.status, 200);
    const sub = await n.call('POST', '/auth/web3/submit_challenge', {
      body: { client_id: lic.holder.address, domain: REDIRECT, grant_type: 'authorization_code', state: gen.json.state, signature: await lic.signer.signMessage({ message: gen.json.challenge }) },
    });
    assert.equal(sub.status, 200);
  });

  it('refuses a signature by a key that is not an API key of the license', async () => {
    const gen = await challenge(lic.holder.address);
    const stranger = privateKeyToAccount(generatePrivateKey());
    const sub = await submit(lic.holder.address, gen.json.state, await stranger.signMessage({ message: gen.json.challenge }));
    assert.equal(sub.status, 401);
    assert.equal(sub.json.code, 'ODM_ERR_SIGNER_NOT_ENABLED');
    const bad = await submit(lic.holder.address, (await challenge(lic.holder.address)).json.state, '0x1234');
    assert.equal(bad.status, 401);
    assert.equal(bad.json.code, 'ODM_ERR_SIGNATURE_INVALID');
    const garbled = await challenge(lic.holder.address);
    const sig = await lic.signer.signMessage({ message: garbled.json.challenge + ' tampered' });
    assert.equal((await submit(lic.holder.address, garbled.json.state, sig)).json.code, 'ODM_ERR_SIGNER_NOT_ENABLED', 'signing another text recovers another address');
  });

  it('refuses unknown clients and unregistered redirect URIs', async () => {
    const nobody = privateKeyToAccount(generatePrivateKey());
    const unknown = await challenge(nobody.address);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.json.code, 'ODM_ERR_CLIENT_UNKNOWN');
    const domain = await challenge(lic.holder.address, 'https://evil.example/callback');
    assert.equal(domain.status, 400);
    assert.equal(domain.json.code, 'ODM_ERR_REDIRECT_URI_INVALID');
    const invalid = await n.call('POST', '/auth/web3/generate_challenge', { query: { client_id: 'not-an-address', domain: REDIRECT } });
    assert.equal(invalid.json.code, 'ODM_ERR_VALIDATION');
  });

  it('spends a state once: a replay, a mismatched domain and an expired challenge are refused', async () => {
    const gen = await challenge(lic.holder.address);
    const sig = await lic.signer.signMessage({ message: gen.json.challenge });
    assert.equal((await submit(lic.holder.address, gen.json.state, sig)).status, 200);
    const replay = await submit(lic.holder.address, gen.json.state, sig);
    assert.equal(replay.status, 400);
    assert.equal(replay.json.code, 'ODM_ERR_OAUTH_STATE_INVALID');
    assert.equal(replay.json.details.reason, 'unknown');

    await n.chain.write(lic.holder, 'LicenseSigners', 'setRedirectUri', [lic.licenseId, 'https://app.example/other', true]);
    await n.mirrored();
    const other = await challenge(lic.holder.address);
    const mismatch = await submit(lic.holder.address, other.json.state, await lic.signer.signMessage({ message: other.json.challenge }), 'https://app.example/other');
    assert.equal(mismatch.json.details.reason, 'mismatch');

    const old = await challenge(lic.holder.address);
    n.clock.advance(6 * 60_000);
    try {
      const expired = await submit(lic.holder.address, old.json.state, await lic.signer.signMessage({ message: old.json.challenge }));
      assert.equal(expired.json.code, 'ODM_ERR_OAUTH_STATE_INVALID');
      assert.equal(expired.json.details.reason, 'expired');
    } finally {
      n.clock.advance(-6 * 60_000);
    }
  });

  it('refuses an expired API key, and a disabled one', async () => {
    const { app } = n.chain.actors;
    const short = privateKeyToAccount(generatePrivateKey());
    await n.chain.write(app, 'LicenseSigners', 'enableSigner', [lic.licenseId, short.address, (await n.chain.now()) + 120n]);
    await n.mirrored();
    const early = await n.developerToken(lic, short);
    assert.ok(decodeJwt(early).exp! * 1000 <= Number(await n.chain.now()) * 1000 + 120_000, 'a token ends with its API key');
    n.clock.advance(10 * 60_000);
    try {
      await assert.rejects(n.developerToken(lic, short), (err: { answer: { status: number; json: { code: string } } }) => err.answer.status === 401 && err.answer.json.code === 'ODM_ERR_SIGNER_EXPIRED');
    } finally {
      n.clock.advance(-10 * 60_000);
    }
    await n.chain.write(app, 'LicenseSigners', 'enableSigner', [lic.licenseId, short.address, (await n.chain.now()) + 3600n]);
    await n.mirrored();
    const dev = await n.developerToken(lic, short);
    const exchange = () => n.call('POST', '/v1/tokens/exchange', { token: dev, body: { nftContractAddress: n.chain.contracts.VehicleId, tokenId: Number(vehicle), privileges: [1] } });
    assert.equal((await exchange()).status, 200);
    await n.chain.write(app, 'LicenseSigners', 'disableSigner', [lic.licenseId, short.address]);
    await n.mirrored();
    await assert.rejects(n.developerToken(lic, short), (err: { answer: { json: { code: string } } }) => err.answer.json.code === 'ODM_ERR_SIGNER_NOT_ENABLED');
    const after = await exchange();
    assert.equal(after.status, 401, 'disabling the key ends the tokens it signed in for');
    assert.equal(after.json.details.reason, 'key_disabled');
  });
});

describe('token exchange (POST /v1/tokens/exchange)', () => {
  it('issues a vehicle JWT with DIMO claims for granted privileges, in both request forms', async () => {
    const dev = await n.developerToken(lic);
    const res = await n.call('POST', '/v1/tokens/exchange', { token: dev, body: { nftContractAddress: n.chain.contracts.VehicleId, tokenId: Number(vehicle), privileges: [1, 4] } });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const claims = decodeJwt(res.json.token);
    const did = `did:erc721:${n.chain.chainId}:${getAddress(n.chain.contracts.VehicleId!)}:${vehicle}`;
    assert.equal(claims.asset, did);
    assert.deepEqual(claims.privilege_ids, [1, 4]);
    assert.deepEqual(claims.permissions, ['privilege:GetNonLocationHistory', 'privilege:GetLocationHistory']);
    assert.equal(claims.token_id, vehicle.toString());
    assert.deepEqual(claims.aud, ['dimo.zone']);
    assert.equal((claims.exp as number) - (claims.iat as number), 600, 'ten minutes');

    const newer = await n.call('POST', '/v1/tokens/exchange', { token: dev, body: { asset: did, permissions: ['privilege:GetNonLocationHistory'], audience: ['my-app'] } });
    assert.equal(newer.status, 200, JSON.stringify(newer.json));
    assert.deepEqual(decodeJwt(newer.json.token).privilege_ids, [1]);
    assert.deepEqual(decodeJwt(newer.json.token).aud, ['my-app']);
  });

  it('refuses unknown privileges (400), missing grants naming them (403), wrong assets and tokens', async () => {
    const dev = await n.developerToken(lic);
    const ask = (body: unknown, token: string | null = dev) => n.call('POST', '/v1/tokens/exchange', { ...(token ? { token } : {}), body });
    const base = { nftContractAddress: n.chain.contracts.VehicleId, tokenId: Number(vehicle) };
    const unknown = await ask({ ...base, privileges: [1, 9] });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.code, 'ODM_ERR_PRIVILEGE_UNKNOWN');
    assert.equal((await ask({ asset: decodeJwt((await ask({ ...base, privileges: [1] })).json.token).asset, permissions: ['privilege:FlyToTheMoon'] })).json.code, 'ODM_ERR_PRIVILEGE_UNKNOWN');
    const missing = await ask({ ...base, privileges: [1, 3, 4] });
    assert.equal(missing.status, 403);
    assert.equal(missing.json.code, 'ODM_ERR_CONSENT_MISSING');
    assert.deepEqual(missing.json.details.missing, [3]);
    assert.match(missing.json.message, /privilege 3/);
    const contract = await ask({ ...base, nftContractAddress: '0x0000000000000000000000000000000000000001', privileges: [1] });
    assert.equal(contract.status, 400);
    assert.equal(contract.json.code, 'ODM_ERR_ASSET_NOT_SUPPORTED');
    assert.equal((await ask({ ...base, tokenId: 999_999, privileges: [1] })).status, 404);
    const none = await ask({ ...base, privileges: [1] }, null);
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'ODM_ERR_AUTH_REQUIRED');
    const vehicleToken = (await ask({ ...base, privileges: [1] })).json.token;
    const wrongKind = await ask({ ...base, privileges: [1] }, vehicleToken);
    assert.equal(wrongKind.status, 401);
    assert.equal(wrongKind.json.code, 'ODM_ERR_TOKEN_INVALID');
  });

  it('refuses a license below its stake requirement (trust ratio < 1)', async () => {
    const { app2, alice } = n.chain.actors;
    const poor = await n.appLicense(app2, { stake: 5_000n * 10n ** 18n });
    await n.chain.grant(alice, vehicle, app2.address, [1]);
    await n.mirrored();
    const dev = await n.developerToken(poor);
    const res = await n.call('POST', '/v1/tokens/exchange', { token: dev, body: { nftContractAddress: n.chain.contracts.VehicleId, tokenId: Number(vehicle), privileges: [1] } });
    assert.equal(res.status, 403);
    assert.equal(res.json.code, 'ODM_ERR_LICENSE_UNDERSTAKED');
    assert.equal(res.json.details.trustRatio, '0.5');
  });
});

describe('per-license rate limit', () => {
  it('answers 429 with Retry-After once the budget is spent, on /query and on the exchange', async () => {
    const small = await startAppNode({ appAccess: { rateLimit: { perSecond: 1, burst: 3 } } });
    try {
      const { app, alice } = small.chain.actors;
      const l = await small.appLicense(app);
      const v = await small.mintVehicle(alice);
      await small.chain.grant(alice, v, app.address, [1]);
      await small.mirrored();
      const dev = await small.developerToken(l);
      const token = await small.vehicleToken(dev, v, [1]); // 1 of 3
      const q = `{ signalsLatest(tokenId: ${v}) { lastSeen } }`;
      assert.equal((await small.graphql(token, q)).status, 200);
      assert.equal((await small.graphql(token, q)).status, 200);
      const limited = await small.graphql(token, q);
      assert.equal(limited.status, 429);
      assert.equal(limited.json.errors[0].extensions.code, 'ODM_ERR_RATE_LIMITED');
      assert.equal(limited.headers.get('retry-after'), '1');
      const exchange = await small.call('POST', '/v1/tokens/exchange', { token: dev, body: { nftContractAddress: small.chain.contracts.VehicleId, tokenId: Number(v), privileges: [1] } });
      assert.equal(exchange.status, 429);
      assert.equal(exchange.json.code, 'ODM_ERR_RATE_LIMITED');
      assert.ok(exchange.headers.get('retry-after'));
      small.clock.advance(2000);
      assert.equal((await small.graphql(token, q)).status, 200, 'the bucket refills');
    } finally {
      await small.stop();
    }
  });
});
