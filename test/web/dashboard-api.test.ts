// The dashboard's server side over real HTTP on a real node: email accounts with an embedded wallet the
// node cannot open, the static app and its fallbacks, consent documents and the owner's grants, the
// glovebox (owner and app, through the license gate), deletion that shows nothing remains, export, and
// the licensing console (applications, the team's transactions, published decisions).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import JSZip from 'jszip';
import { encodeFunctionData, parseAbi, type Hex } from 'viem';
import { privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../../src/chain/constants.ts';
import { appRequestMessage } from '../../src/connectors/commands/app-request-auth.ts';
import { buildSacdDocument, sacdHash, signSacdDocument } from '../../src/consent/sacd-document.ts';
import { signUpMessage } from '../../src/owners/accounts/account-messages.ts';
import { ownerMessage } from '../../src/privacy/owner-auth.ts';
import { signUpMessage as browserSignUpMessage } from '../../web/src/wallet/account-messages.ts';
import { deriveKeys, signUpBody, unseal } from './support/browser-wallet.ts';
import { startDashboardNode, type DashboardNode } from './support/dashboard-node.ts';

let n: DashboardNode;
before(async () => {
  n = await startDashboardNode();
});
after(() => n?.stop());

const E18 = 10n ** 18n;
const LICENSES_ABI = parseAbi([
  'struct Metadata { string legalName; string dba; string website; string supportEmail; }',
  'function issue(address to, uint8 kind, Metadata metadata) returns (uint256)',
  'function suspend(uint256 licenseId, string reason)',
]);

/** A signed raw transaction from `account`, as the consoles send it. */
async function rawTx(account: LocalAccount, data: Hex): Promise<string> {
  const params = (await n.call('GET', `/v1/licensing/tx-params/${account.address}`)).json;
  return account.signTransaction!({ to: params.contracts.Licenses, data, nonce: params.nonce, gas: 1_500_000n, gasPrice: BigInt(params.gasPrice), chainId: params.chainId, type: 'legacy' });
}

describe('email accounts with an embedded wallet', () => {
  it('sign-up and sign-in hand back a wallet only the password opens; the node keeps no secret', async () => {
    assert.equal(signUpMessage('0xABC', 'e', 'w'), browserSignUpMessage('0xABC', 'e', 'w'), 'the browser signs the text the node checks');
    const { body, privateKey, account } = await signUpBody('Alice@Example.test ', 'correct horse battery');
    const created = await n.call('POST', '/v1/owner/accounts', { body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.address, account.address.toLowerCase());

    const again = await n.call('POST', '/v1/owner/accounts', { body: (await signUpBody('alice@example.test', 'x'.repeat(12))).body });
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'ODM_ERR_ACCOUNT_EXISTS');

    const pre = await n.call('POST', '/v1/owner/accounts/prelogin', { body: { email: 'alice@example.test' } });
    assert.deepEqual(pre.json.kdf, body.kdf);
    const { authKey, wrapKey } = deriveKeys('correct horse battery', pre.json.kdf);
    const login = await n.call('POST', '/v1/owner/accounts/login', { body: { email: 'alice@example.test', authKey } });
    assert.equal(login.status, 200, login.text);
    assert.equal(unseal(wrapKey, login.json.wallet, login.json.address), privateKey, 'the password opens the same key');
    const token = await n.signIn(privateKeyToAccount(privateKey));
    const me = await n.call('GET', '/v1/owner/account', { token });
    assert.deepEqual([me.json.address, me.json.email], [account.address.toLowerCase(), 'alice@example.test']);

    // Unknown emails get stable decoys; a wrong password is refused like an unknown email.
    const d1 = await n.call('POST', '/v1/owner/accounts/prelogin', { body: { email: 'nobody@example.test' } });
    const d2 = await n.call('POST', '/v1/owner/accounts/prelogin', { body: { email: 'nobody@example.test' } });
    assert.deepEqual(d1.json, d2.json);
    assert.match(d1.json.kdf.salt, /^[0-9a-f]{32}$/);
    const wrong = deriveKeys('wrong password', pre.json.kdf).authKey;
    for (const email of ['alice@example.test', 'nobody@example.test']) {
      const r = await n.call('POST', '/v1/owner/accounts/login', { body: { email, authKey: wrong } });
      assert.deepEqual([r.status, r.json.code], [401, 'ODM_ERR_LOGIN_FAILED']);
    }

    // Nothing stored opens anything: no email, password, auth key or private key in the row.
    const row = await n.node.services.store.db.selectFrom('owner_accounts').selectAll().executeTakeFirstOrThrow();
    const stored = JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)).toLowerCase();
    for (const secret of ['alice@example.test', 'correct horse', authKey, privateKey.slice(2), wrapKey.toString('hex')]) assert.ok(!stored.includes(secret.toLowerCase()), 'no secret at rest');
  });

  it('refuses a wallet that did not sign its own sign-up, and locks after ten wrong passwords', async () => {
    const { body } = await signUpBody('mallory@example.test', 'another long password');
    const other = await signUpBody('mallory@example.test', 'another long password');
    const forged = await n.call('POST', '/v1/owner/accounts', { body: { ...body, signature: other.body.signature } });
    assert.deepEqual([forged.status, forged.json.code], [401, 'ODM_ERR_SIGNATURE_INVALID']);
    assert.equal((await n.call('POST', '/v1/owner/accounts', { body })).status, 201);
    const wrong = deriveKeys('guess', body.kdf).authKey;
    const codes = [];
    for (let i = 0; i < 11; i++) codes.push((await n.call('POST', '/v1/owner/accounts/login', { body: { email: body.email, authKey: wrong } })).json.code);
    assert.deepEqual(codes.slice(-2), ['ODM_ERR_LOGIN_FAILED', 'ODM_ERR_LOGIN_LOCKED']);
    const right = deriveKeys('another long password', body.kdf).authKey;
    assert.equal((await n.call('POST', '/v1/owner/accounts/login', { body: { email: body.email, authKey: right } })).json.code, 'ODM_ERR_LOGIN_LOCKED', 'locked even for the right password');
    const bad = await n.call('POST', '/v1/owner/accounts', { body: { ...body, kdf: { ...body.kdf, n: 1024 } } });
    assert.deepEqual([bad.status, bad.json.code], [400, 'ODM_ERR_VALIDATION']);
  });
});

describe('the dashboard at /', () => {
  it('serves files, falls back to the app for client routes, and leaves API paths to the API', async () => {
    const home = await n.call('GET', '/');
    assert.equal(home.status, 200);
    assert.match(home.text, /id="root"/);
    assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const client = await n.call('GET', '/vehicles/12?tab=privacy');
    assert.equal(client.status, 200);
    assert.match(client.text, /id="root"/);
    const asset = await n.call('GET', '/assets/app-abc123.js');
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await n.call('GET', '/assets/gone-000.js')).status, 404, 'a missing asset is not the app');
    const api = await n.call('GET', '/v1/nothing-here');
    assert.deepEqual([api.status, api.json.code], [404, 'ODM_ERR_NOT_FOUND']);
    assert.equal((await n.call('GET', '/health')).json.checks.web.ok, true);
    const basemap = await n.call('GET', '/v1/map/basemap');
    assert.equal(basemap.json.type, 'FeatureCollection');
    assert.ok(basemap.json.features.some((f: { properties: { kind: string } }) => f.properties.kind === 'highway'));
  });
});

describe('consent, glovebox, deletion and export', () => {
  let alice: LocalAccount;
  let app: LocalAccount;
  let token: string;
  let vehicleId: bigint;
  let licenseId: string;

  before(async () => {
    ({ alice, app } = n.chain.actors);
    token = await n.signIn(alice);
    vehicleId = await n.chain.mintVehicle(alice);
    // An app license for `app`, staked to its requirement by the deployer (who may mint on a dev chain).
    const team = privateKeyToAccount(ANVIL_DEV_PRIVATE_KEY);
    const issued = await n.call('POST', '/v1/licensing/transactions', {
      body: { serializedTransaction: await rawTx(team, encodeFunctionData({ abi: LICENSES_ABI, functionName: 'issue', args: [app.address, 2, { legalName: 'Road Insights Ltd', dba: 'Road Insights', website: '', supportEmail: '' }] })) },
    });
    assert.equal(issued.status, 200, issued.text);
    licenseId = (await n.call('GET', `/v1/licenses?holder=${app.address}`)).json.licenses[0].licenseId;
    await n.chain.write(n.chain.actors.admin, 'DimoToken', 'mint', [n.chain.actors.admin.address, 10_000n * E18]);
    await n.chain.write(n.chain.actors.admin, 'DimoToken', 'approve', [n.chain.contracts.Licenses, 10_000n * E18]);
    await n.chain.write(n.chain.actors.admin, 'Licenses', 'stake', [BigInt(licenseId), 10_000n * E18]);
    await n.mirrored();
  });

  it("keeps a signed consent document by hash and lists the owner's grants with license and purpose", async () => {
    const lic = await n.call('GET', `/v1/licenses/${licenseId}`);
    assert.deepEqual([lic.json.license.legalName, lic.json.license.trustRatio, lic.json.license.active], ['Road Insights Ltd', '1', true]);
    assert.equal((await n.call('GET', `/v1/licenses/grantee/${app.address}`)).json.license.licenseId, licenseId);

    const doc = await signSacdDocument(buildSacdDocument({
      grantor: alice.address, grantee: app.address, asset: { chainId: n.chain.chainId, contract: n.chain.contracts.VehicleId!, tokenId: vehicleId },
      permissions: [1, 5], purpose: 'Insurance quote', expiration: Math.floor(Date.now() / 1000) + 86_400, streams: [{ signal: 'speed', frequency: '1m' }],
    }), alice);
    const kept = await n.call('POST', '/v1/consent/documents', { body: { document: doc }, token });
    assert.equal(kept.status, 201, kept.text);
    assert.equal(kept.json.hash, sacdHash(doc));
    assert.deepEqual((await n.call('GET', `/v1/consent/documents/${kept.json.hash}`)).json, doc);
    const bobs = await n.call('POST', '/v1/consent/documents', { body: { document: doc }, token: await n.signIn(n.chain.actors.bob) });
    assert.equal(bobs.json.code, 'ODM_ERR_NOT_OWNER');
    const tampered = await n.call('POST', '/v1/consent/documents', { body: { document: { ...doc, data: { ...doc.data, purpose: 'Resale' } } }, token });
    assert.equal(tampered.json.code, 'ODM_ERR_SIGNATURE_INVALID');

    await n.chain.write(alice, 'Permissions', 'grant', [n.chain.contracts.VehicleId, vehicleId, app.address, (3n << 2n) | (3n << 10n), BigInt(doc.data.expiration), kept.json.hash]);
    await n.mirrored();
    const grants = (await n.call('GET', '/v1/owner/grants', { token })).json.grants;
    assert.equal(grants.length, 1);
    assert.deepEqual([grants[0].vehicleId, grants[0].privileges, grants[0].license.licenseId, grants[0].document.purpose], [String(vehicleId), [1, 5], licenseId, 'Insurance quote']);
  });

  it('keeps glovebox documents encrypted and lets an app with privilege 5 read them, logging each read', async () => {
    const pdf = Buffer.from('%PDF-1.4 insurance certificate 12345');
    const up = await n.call('POST', `/v1/owner/vehicles/${vehicleId}/documents?kind=insurance&name=${encodeURIComponent('policy 2026.pdf')}`, { raw: pdf, contentType: 'application/pdf', token });
    assert.equal(up.status, 201, up.text);
    const list = (await n.call('GET', `/v1/owner/vehicles/${vehicleId}/documents`, { token })).json.documents;
    assert.deepEqual(list.map((d: { name: string; kind: string; size: number }) => [d.name, d.kind, d.size]), [['policy 2026.pdf', 'insurance', pdf.length]]);
    const got = await n.call('GET', `/v1/owner/vehicles/${vehicleId}/documents/${up.json.id}`, { token });
    assert.equal(got.text, pdf.toString());
    assert.equal(got.headers.get('content-type'), 'application/pdf');
    const row = await n.node.services.store.db.selectFrom('glovebox_documents').selectAll().executeTakeFirstOrThrow();
    assert.ok(!row.content_ct.includes(Buffer.from('insurance certificate')) && !row.meta_ct.includes(Buffer.from('policy')), 'sealed at rest');
    const notMine = await n.call('GET', `/v1/owner/vehicles/${vehicleId}/documents`, { token: await n.signIn(n.chain.actors.bob) });
    assert.equal(notMine.json.code, 'ODM_ERR_NOT_OWNER');

    const signed = async (account: LocalAccount, path: string) => {
      const ts = Date.now();
      const signature = await account.signMessage({ message: appRequestMessage('GET', path, ts, '') });
      return n.call('GET', path, { headers: { 'x-opendimo-app-signature': signature, 'x-opendimo-app-timestamp': String(ts) } });
    };
    const path = `/v1/vehicles/${vehicleId}/documents`;
    const read = await signed(app, path);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.documents[0].name, 'policy 2026.pdf');
    assert.equal((await signed(app, `${path}/${up.json.id}`)).text, pdf.toString());
    const stranger = await signed(n.chain.actors.stranger, path);
    assert.deepEqual([stranger.status, stranger.json.code], [403, 'ODM_ERR_LICENSE_UNKNOWN']);

    // The DIMO way: API key and redirect URI on the license, developer token, vehicle token with privilege 5.
    const expires = BigInt(Math.floor(Date.now() / 1000) + 86_400);
    await n.chain.write(app, 'LicenseSigners', 'enableSigner', [BigInt(licenseId), app.address, expires]);
    await n.chain.write(app, 'LicenseSigners', 'setRedirectUri', [BigInt(licenseId), 'https://app.example', true]);
    await n.mirrored();
    const keys = (await n.call('GET', `/v1/licenses/${licenseId}/keys`)).json;
    assert.deepEqual([keys.deployed, keys.signers.map((k: { address: string; active: boolean }) => [k.address, k.active]), keys.redirectUris], [true, [[app.address.toLowerCase(), true]], ['https://app.example']]);
    const q = new URLSearchParams({ client_id: app.address, domain: 'https://app.example', scope: 'openid email', response_type: 'code', address: app.address });
    const challenge = await n.call('POST', `/auth/web3/generate_challenge?${q}`);
    assert.equal(challenge.status, 200, challenge.text);
    const form = new URLSearchParams({ client_id: app.address, domain: 'https://app.example', grant_type: 'authorization_code', state: challenge.json.state, signature: await app.signMessage({ message: challenge.json.challenge }) });
    const dev = await n.call('POST', '/auth/web3/submit_challenge', { raw: Buffer.from(form.toString()), contentType: 'application/x-www-form-urlencoded' });
    assert.equal(dev.status, 200, dev.text);
    const exchange = (privileges: number[]) => n.call('POST', '/v1/tokens/exchange', { body: { nftContractAddress: n.chain.contracts.VehicleId, tokenId: Number(vehicleId), privileges }, token: dev.json.access_token });
    const withFive = await exchange([5]);
    assert.equal(withFive.status, 200, withFive.text);
    const byJwt = await n.call('GET', path, { token: withFive.json.token });
    assert.equal(byJwt.status, 200, byJwt.text);
    assert.equal(byJwt.json.documents.length, 1);
    const withoutFive = await exchange([1]);
    const refused = await n.call('GET', path, { token: withoutFive.json.token });
    assert.deepEqual([refused.status, refused.json.code], [403, 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN']);
    const reads = await getActivityLog(n.node.services).list(alice.address, { kinds: ['read'] });
    assert.ok(reads.entries.some((e) => e.app?.licenseId === licenseId && e.privileges?.includes(5) && e.detail?.what === 'glovebox'));
  });

  it('exports everything as a zip of JSON and CSV, and records the export', async () => {
    const res = await fetch(`${n.baseUrl}/v1/owner/export.zip`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
    const names = Object.keys(zip.files);
    const find = (s: string) => names.find((x) => x.endsWith(s));
    for (const f of ['README.txt', 'account.json', 'activity.json', 'grants.json', `vehicles/${vehicleId}/vehicle.json`, `vehicles/${vehicleId}/signals.csv`, `vehicles/${vehicleId}/locations.csv`]) assert.ok(find(f), f);
    const doc = names.find((x) => x.includes(`vehicles/${vehicleId}/documents/`) && x.endsWith('policy 2026.pdf'));
    assert.ok(doc, 'the glovebox is in the export');
    assert.equal(await zip.file(doc!)!.async('string'), '%PDF-1.4 insurance certificate 12345');
    const grants = JSON.parse(await zip.file(find('grants.json')!)!.async('string'));
    assert.equal(grants[0].document.purpose, 'Insurance quote');
    const log = await getActivityLog(n.node.services).list(alice.address, { kinds: ['export'] });
    assert.equal(log.entries.length, 1);
  });

  it('deletes a vehicle only with the typed confirmation, then reads back that nothing remains', async () => {
    // Privacy settings are data too (zones are places): set one, signed as the owner.
    const body = JSON.stringify({ locationOptOut: false, zones: [{ kind: 'circle', lat: 52.52, lng: 13.405, radiusM: 800, action: 'drop' }] });
    const ts = Date.now();
    const sig = await alice.signMessage({ message: ownerMessage('PUT', `/v1/vehicles/${vehicleId}/privacy`, ts, body) });
    const put = await fetch(`${n.baseUrl}/v1/vehicles/${vehicleId}/privacy`, { method: 'PUT', body, headers: { 'content-type': 'application/json', 'x-opendimo-owner-signature': sig, 'x-opendimo-owner-timestamp': String(ts) } });
    assert.equal(put.status, 200, await put.text());
    const before = (await n.call('GET', `/v1/owner/vehicles/${vehicleId}/remaining`, { token })).json;
    assert.ok(before.dataKeys >= 1 && before.documents === 1 && before.privacySettings === 1, JSON.stringify(before));

    const wrong = await n.call('DELETE', `/v1/owner/vehicles/${vehicleId}`, { body: { confirm: 'delete' }, token });
    assert.deepEqual([wrong.status, wrong.json.code, wrong.json.details.expected], [400, 'ODM_ERR_CONFIRMATION_MISMATCH', `delete vehicle ${vehicleId}`]);
    const done = await n.call('DELETE', `/v1/owner/vehicles/${vehicleId}`, { body: { confirm: `delete vehicle ${vehicleId}` }, token });
    assert.equal(done.status, 200, done.text);
    assert.ok(Object.values(done.json.remaining).every((x) => x === 0), JSON.stringify(done.json.remaining));
    assert.equal(done.json.deleted.documents, 1);
    assert.equal((await n.call('GET', `/v1/consent/documents/${(await n.call('GET', '/v1/owner/grants', { token })).json.grants[0].source}`)).status, 404, 'its consent documents go too');
    assert.deepEqual((await n.call('GET', `/v1/owner/vehicles/${vehicleId}/documents`, { token })).json.documents, []);
    const deleted = await getActivityLog(n.node.services).list(alice.address, { kinds: ['delete'] });
    assert.equal(deleted.entries[0]?.vehicleId, String(vehicleId));
  });

  it('deletes the whole account: vehicles, log, email sign-in; nothing remains', async () => {
    const { body, privateKey } = await signUpBody('carol@example.test', 'carol has a long password');
    assert.equal((await n.call('POST', '/v1/owner/accounts', { body })).status, 201);
    const carol = privateKeyToAccount(privateKey);
    const carolToken = await n.signIn(carol);
    const wrong = await n.call('DELETE', '/v1/owner/account', { body: { confirm: 'yes' }, token: carolToken });
    assert.equal(wrong.json.code, 'ODM_ERR_CONFIRMATION_MISMATCH');
    const done = await n.call('DELETE', '/v1/owner/account', { body: { confirm: 'delete my account' }, token: carolToken });
    assert.equal(done.status, 200, done.text);
    assert.ok(Object.values(done.json.remaining).every((x) => x === 0), JSON.stringify(done.json.remaining));
    assert.equal(done.json.deleted.emailAccount, true);
    const pre = deriveKeys('carol has a long password', body.kdf).authKey;
    assert.equal((await n.call('POST', '/v1/owner/accounts/login', { body: { email: 'carol@example.test', authKey: pre } })).json.code, 'ODM_ERR_LOGIN_FAILED');
  });
});

describe('licensing console', () => {
  it('takes applications, lets only the team decide, publishes decisions, relays the team\'s transactions with decoded refusals', async () => {
    const { carol, stranger } = n.chain.actors;
    const carolToken = await n.signIn(carol);
    const applied = await n.call('POST', '/v1/licensing/applications', { body: { kind: 'app', legalName: 'Carol Apps BV', dba: 'CarolCar', note: 'fleet reports' }, token: carolToken });
    assert.equal(applied.status, 201, applied.text);
    assert.equal(applied.json.status, 'pending');
    const mine = await n.call('GET', '/v1/licensing/applications', { token: carolToken });
    assert.deepEqual([mine.json.team, mine.json.applications.length], [false, 1]);
    const rejectByCarol = await n.call('POST', `/v1/licensing/applications/${applied.json.id}/reject`, { body: { reason: 'self-approval' }, token: carolToken });
    assert.deepEqual([rejectByCarol.status, rejectByCarol.json.code], [403, 'ODM_ERR_ROLE_REQUIRED']);

    const team = privateKeyToAccount(ANVIL_DEV_PRIVATE_KEY);
    const teamToken = await n.signIn(team);
    const roles = (await n.call('GET', `/v1/licensing/roles/${team.address}`)).json;
    assert.deepEqual([roles.licensing, roles.arbiter], [true, true]);
    assert.equal((await n.call('GET', `/v1/licensing/roles/${stranger.address}`)).json.licensing, false);
    const all = await n.call('GET', '/v1/licensing/applications?status=pending', { token: teamToken });
    assert.equal(all.json.team, true);
    const tx = await n.call('POST', '/v1/licensing/transactions', {
      body: { serializedTransaction: await rawTx(team, encodeFunctionData({ abi: LICENSES_ABI, functionName: 'issue', args: [carol.address, 2, { legalName: 'Carol Apps BV', dba: 'CarolCar', website: '', supportEmail: '' }] })) },
    });
    assert.equal(tx.status, 200, tx.text);
    const issued = await n.call('POST', `/v1/licensing/applications/${applied.json.id}/issued`, { body: { txHash: tx.json.txHash, reason: 'documents checked' }, token: teamToken });
    assert.equal(issued.status, 200, issued.text);
    assert.equal(issued.json.status, 'issued');
    const carolsLicense = issued.json.licenseId as string;
    assert.equal((await n.call('GET', `/v1/licenses/${carolsLicense}`)).json.license.holder, carol.address.toLowerCase());

    const suspend = await n.call('POST', '/v1/licensing/transactions', { body: { serializedTransaction: await rawTx(team, encodeFunctionData({ abi: LICENSES_ABI, functionName: 'suspend', args: [BigInt(carolsLicense), 'support email bounces'] })) } });
    assert.equal(suspend.status, 200, suspend.text);
    assert.equal((await n.call('GET', `/v1/licenses/${carolsLicense}`)).json.license.statusReason, 'support email bounces', 'the reason is on record');
    const decisions = (await n.call('GET', '/v1/licensing/decisions')).json;
    assert.ok(decisions.applications.some((a: { id: number; decisionReason: string }) => a.id === applied.json.id && a.decisionReason === 'documents checked'));

    const refused = await n.call('POST', '/v1/licensing/transactions', { body: { serializedTransaction: await rawTx(stranger, encodeFunctionData({ abi: LICENSES_ABI, functionName: 'suspend', args: [BigInt(carolsLicense), 'no role'] })) } });
    assert.deepEqual([refused.status, refused.json.code], [403, 'ODM_ERR_CHAIN_UNAUTHORIZED']);
    const elsewhere = await stranger.signTransaction!({ to: n.chain.contracts.DimoToken!, data: '0x', nonce: 0, gas: 100_000n, gasPrice: 1n, chainId: n.chain.chainId, type: 'legacy' });
    assert.equal((await n.call('POST', '/v1/licensing/transactions', { body: { serializedTransaction: elsewhere } })).json.code, 'ODM_ERR_TRANSACTION_REFUSED');

  });
});
