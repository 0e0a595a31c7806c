// Permissions: SACD-style grants with DIMO's 2-bit privilege masks, strict expiry, per-token versions,
// account-level grants, revocation, renunciation and relayed (EIP-712 / ERC-1271) consent.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { zeroHash, type Address, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { privilegesToMask } from '../../src/consent/privileges.ts';
import { buildSacdDocument, canonicalSacdBytes, sacdHash, signSacdDocument, verifySacdDocument } from '../../src/consent/sacd-document.ts';
import { expectRevert, startIdentityChain, type IdentityChain } from './support/identity-chain.ts';
import { deadlineIn, deviceKey, eventArgs, mintConnection, mintSynthetic, mintVehicle } from './support/identity-flows.ts';

let c: IdentityChain;
let snap: Hex;
let V: Address; // VehicleId, the supported asset
before(async () => {
  c = await startIdentityChain();
  V = c.addr.VehicleId;
});
after(async () => {
  await c?.stop();
});
beforeEach(async () => {
  snap = await c.snapshot();
});
afterEach(async () => {
  await c.revert(snap);
});

const TELEMETRY = privilegesToMask([1]);
const LOCATION = privilegesToMask([1, 3, 4]);
const SOURCE = `0x${'ab'.repeat(32)}` as Hex;

const has = (tokenId: bigint, grantee: Address, privilege: number) => c.read<boolean>('Permissions', 'hasPrivilege', [V, tokenId, grantee, BigInt(privilege)]);
const perms = (tokenId: bigint, grantee: Address, mask = (1n << 256n) - 1n) => c.read<bigint>('Permissions', 'getPermissions', [V, tokenId, grantee, mask]);

async function grant(owner: LocalAccount, tokenId: bigint, grantee: Address, permissions: bigint, expiration?: bigint, source: Hex = SOURCE) {
  return c.write(owner, 'Permissions', 'grant', [V, tokenId, grantee, permissions, expiration ?? (await deadlineIn(c, 86_400n)), source]);
}

test('privileges use DIMO’s 2-bit encoding: {1,3,4} is 972 and each privilege needs both bits', async () => {
  const { alice, app } = c.actors;
  const id = await mintVehicle(c, alice);
  assert.equal(LOCATION, 0b1111001100n);
  assert.equal(TELEMETRY, 12n);
  await grant(alice, id, app.address, LOCATION);
  for (const [privilege, held] of [[1, true], [2, false], [3, true], [4, true], [5, false], [8, false], [0, false], [200, false]] as const) {
    assert.equal(await has(id, app.address, privilege), held, `privilege ${privilege}`);
  }
  assert.equal(await perms(id, app.address), 972n);
  assert.equal(await perms(id, app.address, privilegesToMask([1, 2, 3])), privilegesToMask([1, 3]));
  assert.equal(await c.read('Permissions', 'hasPrivileges', [V, id, app.address, privilegesToMask([1, 4])]), true);
  assert.equal(await c.read('Permissions', 'hasPrivileges', [V, id, app.address, privilegesToMask([1, 2])]), false);
  assert.equal(await c.read('Permissions', 'hasPrivileges', [V, id, app.address, 0n]), false);
  // hasPrivileges checks raw bits, as DIMO's SACD does; grants themselves can never hold half a pair.
  assert.equal(await c.read('Permissions', 'hasPrivileges', [V, id, app.address, 0b0100n]), true);
  assert.equal(await c.read('Permissions', 'hasPrivileges', [V, id, app.address, 0b010000n]), false);
});

test('only the current owner grants, and malformed grants are refused', async () => {
  const { admin, alice, app, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  await expectRevert(grant(stranger, id, app.address, TELEMETRY), 'NotTokenOwner', [V, id, stranger.address]);
  for (const bad of [0n, 0b0100n, 0b1000n, 0b11n, 0b1111n, TELEMETRY | 0b010000n]) {
    await expectRevert(grant(alice, id, app.address, bad), 'PermissionsInvalid', [bad]);
  }
  const now = await c.now();
  await expectRevert(grant(alice, id, app.address, TELEMETRY, now), 'ExpirationInvalid', [now]);
  await expectRevert(grant(alice, id, app.address, TELEMETRY, 1n << 64n), 'ExpirationInvalid', [1n << 64n]);
  await expectRevert(grant(alice, 99n, app.address, TELEMETRY), 'TokenNotFound', [V, 99n]);
  await expectRevert(
    c.write(alice, 'Permissions', 'grant', [c.addr.SyntheticDevice, 1n, app.address, TELEMETRY, await deadlineIn(c), SOURCE]),
    'AssetNotSupported',
    [c.addr.SyntheticDevice],
  );
  await expectRevert(c.write(stranger, 'Permissions', 'setAssetSupported', [stranger.address, true]), 'AccessControlUnauthorizedAccount', [stranger.address, zeroHash]);
  assert.equal(await has(id, app.address, 1), false);
  assert.equal(await c.read('Permissions', 'isSupportedAsset', [V]), true);
  assert.ok(admin);
});

test('expiry is strict: held one second before the expiration, denied at it', async () => {
  const { alice, app } = c.actors;
  const id = await mintVehicle(c, alice);
  const expiration = (await c.now()) + 1000n;
  await grant(alice, id, app.address, TELEMETRY, expiration);
  await c.mineAt(expiration - 1n);
  assert.equal(await has(id, app.address, 1), true);
  await c.mineAt(expiration);
  assert.equal(await has(id, app.address, 1), false);
  assert.equal(await perms(id, app.address), 0n);
});

test('a grant’s event and stored record carry grantor, version, permissions, expiration and the consent hash', async () => {
  const { alice, app } = c.actors;
  const id = await mintVehicle(c, alice);
  const expiration = await deadlineIn(c, 86_400n);
  const doc = await signSacdDocument(
    buildSacdDocument({ grantor: alice.address, grantee: app.address, asset: { chainId: c.chainId, contract: V, tokenId: id }, permissions: [1, 3, 4], purpose: 'Trip log', expiration: Number(expiration) }),
    alice,
  );
  const source = sacdHash(doc);
  const receipt = await grant(alice, id, app.address, LOCATION, expiration, source);
  assert.deepEqual(eventArgs(c, receipt, 'Permissions', 'PermissionsGranted'), { asset: V, tokenId: id, grantee: app.address, grantor: alice.address, version: 0n, permissions: LOCATION, expiration, source });
  assert.deepEqual(await c.read('Permissions', 'tokenGrant', [V, id, app.address]), [{ permissions: LOCATION, grantor: alice.address, expiration, source }, 0n]);
  assert.deepEqual(await verifySacdDocument(doc), { ok: true, grantor: alice.address });
  // A new grant to the same grantee replaces the old one.
  await grant(alice, id, app.address, TELEMETRY);
  assert.equal(await perms(id, app.address), TELEMETRY);
});

test('a transfer voids every grant; the new owner grants afresh; transferring back revives nothing', async () => {
  const { alice, bob, app, grantee } = c.actors;
  const id = await mintVehicle(c, alice);
  await grant(alice, id, app.address, LOCATION);
  await grant(alice, id, grantee.address, TELEMETRY);
  await c.write(alice, 'VehicleId', 'transferFrom', [alice.address, bob.address, id]);
  assert.equal(await perms(id, app.address), 0n);
  assert.equal(await perms(id, grantee.address), 0n);
  await expectRevert(grant(alice, id, app.address, TELEMETRY), 'NotTokenOwner', [V, id, alice.address]);
  const receipt = await grant(bob, id, app.address, TELEMETRY);
  assert.equal(eventArgs(c, receipt, 'Permissions', 'PermissionsGranted').version, 1n);
  assert.equal(await perms(id, app.address), TELEMETRY);
  await c.write(bob, 'VehicleId', 'transferFrom', [bob.address, alice.address, id]);
  assert.equal(await perms(id, app.address), 0n);
  assert.equal(await perms(id, grantee.address), 0n);
  assert.equal(await c.read('VehicleId', 'tokenVersion', [id]), 2n);
});

test('an account grant covers the grantor’s vehicles, including ones minted later, and stops at a transfer away', async () => {
  const { alice, bob, app } = c.actors;
  const v1 = await mintVehicle(c, alice);
  const bobs = await mintVehicle(c, bob);
  const expiration = await deadlineIn(c, 86_400n);
  const receipt = await c.write(alice, 'Permissions', 'grantAccount', [app.address, TELEMETRY, expiration, SOURCE]);
  assert.deepEqual(eventArgs(c, receipt, 'Permissions', 'AccountPermissionsGranted'), { grantor: alice.address, grantee: app.address, permissions: TELEMETRY, expiration, source: SOURCE });
  const v2 = await mintVehicle(c, alice);
  assert.equal(await has(v1, app.address, 1), true);
  assert.equal(await has(v2, app.address, 1), true);
  assert.equal(await has(bobs, app.address, 1), false);
  // Union with a per-vehicle grant.
  await grant(alice, v2, app.address, privilegesToMask([3]));
  assert.equal(await perms(v2, app.address), privilegesToMask([1, 3]));
  await c.write(alice, 'VehicleId', 'transferFrom', [alice.address, bob.address, v1]);
  assert.equal(await has(v1, app.address, 1), false);
  const revoked = await c.write(alice, 'Permissions', 'revokeAccount', [app.address]);
  assert.deepEqual(eventArgs(c, revoked, 'Permissions', 'AccountPermissionsRevoked'), { grantor: alice.address, grantee: app.address });
  assert.equal(await perms(v2, app.address), privilegesToMask([3]));
  await expectRevert(c.write(alice, 'Permissions', 'revokeAccount', [app.address]), 'GrantNotFound');
  // An account grant expires strictly too.
  const short = (await c.now()) + 50n;
  await c.write(alice, 'Permissions', 'grantAccount', [app.address, TELEMETRY, short, SOURCE]);
  await c.mineAt(short);
  assert.equal(await has(v2, app.address, 1), false);
});

test('the owner revokes; revoking what is not granted, or someone else’s vehicle, is refused', async () => {
  const { alice, app, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  await grant(alice, id, app.address, LOCATION);
  await expectRevert(c.write(stranger, 'Permissions', 'revoke', [V, id, app.address]), 'NotTokenOwner', [V, id, stranger.address]);
  const receipt = await c.write(alice, 'Permissions', 'revoke', [V, id, app.address]);
  assert.deepEqual(eventArgs(c, receipt, 'Permissions', 'PermissionsRevoked'), { asset: V, tokenId: id, grantee: app.address, grantor: alice.address, version: 0n });
  assert.equal(await perms(id, app.address), 0n);
  await expectRevert(c.write(alice, 'Permissions', 'revoke', [V, id, app.address]), 'GrantNotFound');
});

test('the grantee renounces a vehicle grant or an account grant', async () => {
  const { alice, app, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  await grant(alice, id, app.address, LOCATION);
  await expectRevert(c.write(stranger, 'Permissions', 'renounce', [V, id]), 'GrantNotFound');
  const receipt = await c.write(app, 'Permissions', 'renounce', [V, id]);
  assert.deepEqual(eventArgs(c, receipt, 'Permissions', 'PermissionsRenounced'), { asset: V, tokenId: id, grantee: app.address, grantor: alice.address, version: 0n });
  assert.equal(await perms(id, app.address), 0n);
  await c.write(alice, 'Permissions', 'grantAccount', [app.address, TELEMETRY, await deadlineIn(c), SOURCE]);
  const r2 = await c.write(app, 'Permissions', 'renounceAccount', [alice.address]);
  assert.deepEqual(eventArgs(c, r2, 'Permissions', 'AccountPermissionsRenounced'), { grantor: alice.address, grantee: app.address });
  assert.equal(await perms(id, app.address), 0n);
  await expectRevert(c.write(app, 'Permissions', 'renounceAccount', [alice.address]), 'GrantNotFound');
});

test('grants and revocations by signature are relayed once, only with the owner’s signature, before the deadline', async () => {
  const { alice, node, app, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  const g = { asset: V, tokenId: id, grantee: app.address, permissions: LOCATION, expiration: await deadlineIn(c, 86_400n), source: SOURCE };
  const deadline = await deadlineIn(c);
  const sign = async (signer: LocalAccount, nonce = 0n, dl = deadline) => c.sign(signer, 'Permissions', 'Grant', { ...g, nonce, deadline: dl });
  await expectRevert(c.write(node, 'Permissions', 'grantBySig', [g, 0n, deadline, await sign(stranger)]), 'InvalidSignature', [alice.address]);
  await expectRevert(c.write(node, 'Permissions', 'grantBySig', [{ ...g, permissions: privilegesToMask([1, 2, 3, 4]) }, 0n, deadline, await sign(alice)]), 'InvalidSignature', [alice.address]);
  const past = (await c.now()) - 1n;
  await expectRevert(c.write(node, 'Permissions', 'grantBySig', [g, 0n, past, await sign(alice, 0n, past)]), 'SignatureExpired', [past]);
  const signature = await sign(alice);
  const receipt = await c.write(node, 'Permissions', 'grantBySig', [g, 0n, deadline, signature]);
  assert.equal(eventArgs(c, receipt, 'Permissions', 'PermissionsGranted').grantor, alice.address);
  assert.equal(await perms(id, app.address), LOCATION);
  await expectRevert(c.write(node, 'Permissions', 'grantBySig', [g, 0n, deadline, signature]), 'InvalidAccountNonce', [alice.address, 1n]);

  const revokeSig = await c.sign(alice, 'Permissions', 'Revoke', { asset: V, tokenId: id, grantee: app.address, nonce: 1n, deadline });
  await c.write(node, 'Permissions', 'revokeBySig', [V, id, app.address, 1n, deadline, revokeSig]);
  assert.equal(await perms(id, app.address), 0n);

  const a = { grantee: app.address, permissions: TELEMETRY, expiration: await deadlineIn(c, 86_400n), source: SOURCE };
  const accountSig = await c.sign(alice, 'Permissions', 'GrantAccount', { ...a, nonce: 2n, deadline });
  await expectRevert(c.write(node, 'Permissions', 'grantAccountBySig', [stranger.address, a, 2n, deadline, accountSig]), 'InvalidSignature', [stranger.address]);
  await c.write(node, 'Permissions', 'grantAccountBySig', [alice.address, a, 2n, deadline, accountSig]);
  assert.equal(await perms(id, app.address), TELEMETRY);
  const revokeAccountSig = await c.sign(alice, 'Permissions', 'RevokeAccount', { grantee: app.address, nonce: 3n, deadline });
  await c.write(node, 'Permissions', 'revokeAccountBySig', [alice.address, app.address, 3n, deadline, revokeAccountSig]);
  assert.equal(await perms(id, app.address), 0n);
});

test('a contract wallet grants by ERC-1271 signature, and its consent document verifies on chain', async () => {
  const { alice, node, app } = c.actors;
  const wallet = await c.deploy(alice, 'TestWallet1271', [alice.address]);
  const nonce = await c.nonce('VehicleId', wallet);
  const deadline = await deadlineIn(c);
  const attrs = { make: 'Ford', model: 'F-150', year: 2021, vinHash: zeroHash };
  const mintSig = await c.sign(alice, 'VehicleId', 'MintVehicle', { owner: wallet, ...attrs, nonce, deadline });
  const minted = await c.write(node, 'VehicleId', 'mintBySig', [wallet, attrs, nonce, deadline, mintSig]);
  const id = eventArgs(c, minted, 'VehicleId', 'VehicleMinted').vehicleId as bigint;

  const unsigned = buildSacdDocument({ grantor: wallet, grantee: app.address, asset: { chainId: c.chainId, contract: V, tokenId: id }, permissions: [1], purpose: 'Fleet report', expiration: Number(await deadlineIn(c, 86_400n)) });
  const doc = { ...unsigned, signature: await alice.signMessage({ message: { raw: canonicalSacdBytes(unsigned) } }) };
  assert.deepEqual(await verifySacdDocument(doc, { client: c.pub }), { ok: true, grantor: wallet });
  await assert.rejects(verifySacdDocument(doc), { code: 'ODM_ERR_SIGNATURE_INVALID' }); // not an EOA signature of the wallet

  const g = { asset: V, tokenId: id, grantee: app.address, permissions: TELEMETRY, expiration: BigInt(doc.data.expiration), source: sacdHash(doc) };
  const signature = await c.sign(alice, 'Permissions', 'Grant', { ...g, nonce: 0n, deadline });
  await c.write(node, 'Permissions', 'grantBySig', [g, 0n, deadline, signature]);
  assert.equal(await has(id, app.address, 1), true);
});

test('burning a vehicle voids its grants; views on missing tokens or unsupported assets answer no', async () => {
  const { alice, app } = c.actors;
  const id = await mintVehicle(c, alice);
  await grant(alice, id, app.address, LOCATION);
  await c.write(alice, 'Permissions', 'grantAccount', [app.address, TELEMETRY, await deadlineIn(c), SOURCE]);
  const sd = await mintSynthetic(c, { connectionId: await mintConnection(c), vehicleId: id, owner: alice, device: deviceKey() });
  await c.write(alice, 'SyntheticDevice', 'burn', [sd]);
  await c.write(alice, 'VehicleId', 'burn', [id]);
  assert.equal(await has(id, app.address, 1), false);
  assert.equal(await perms(id, app.address), 0n);
  assert.equal(await c.read('Permissions', 'hasPrivilege', [c.addr.SyntheticDevice, 1n, app.address, 1n]), false);
  assert.equal(await c.read('Permissions', 'getPermissions', [c.addr.Connections, 1n, app.address, LOCATION]), 0n);
});
