// Connections, Manufacturers, SyntheticDevice, AftermarketDevice and the shared device-address registry.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { keccak256, toHex, zeroAddress, zeroHash, type Hex } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { expectRevert, startIdentityChain, type IdentityChain } from './support/identity-chain.ts';
import {
  claimAftermarket,
  deadlineIn,
  deviceKey,
  eventArgs,
  mintAftermarket,
  mintConnection,
  mintManufacturer,
  mintSynthetic,
  mintVehicle,
  signClaim,
  syntheticMintInput,
} from './support/identity-flows.ts';

let c: IdentityChain;
let snap: Hex;
before(async () => {
  c = await startIdentityChain();
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

const ISSUER_ROLE = keccak256(toHex('ISSUER_ROLE'));

// --- connections and manufacturers ---

test('only the issuer mints connections; names are unique; the holder authorises minters', async () => {
  const { admin, provider, providerMinter, stranger } = c.actors;
  await expectRevert(c.write(stranger, 'Connections', 'mint', [stranger.address, 'Fake', stranger.address]), 'AccessControlUnauthorizedAccount', [stranger.address, ISSUER_ROLE]);
  const receipt = await c.write(admin, 'Connections', 'mint', [provider.address, 'Smartcar', providerMinter.address]);
  assert.deepEqual(eventArgs(c, receipt, 'Connections', 'ConnectionMinted'), { connectionId: 1n, owner: provider.address, name: 'Smartcar', connectionAddress: providerMinter.address });
  assert.equal(await c.read('Connections', 'idOfName', ['Smartcar']), 1n);
  assert.equal(await c.read('Connections', 'nameOf', [1n]), 'Smartcar');
  await expectRevert(c.write(admin, 'Connections', 'mint', [stranger.address, 'Smartcar', zeroAddress]), 'NameTaken', ['Smartcar']);
  await expectRevert(c.write(admin, 'Connections', 'mint', [stranger.address, '', zeroAddress]), 'NameInvalid');

  await expectRevert(c.write(stranger, 'Connections', 'setMinter', [1n, stranger.address, true]), 'NotProviderHolder', [1n, stranger.address]);
  await expectRevert(c.write(stranger, 'Connections', 'setConnectionAddress', [1n, stranger.address]), 'NotProviderHolder', [1n, stranger.address]);
  assert.equal(await c.read('Connections', 'canMint', [1n, provider.address]), true);
  assert.equal(await c.read('Connections', 'canMint', [1n, providerMinter.address]), false);
  const set = await c.write(provider, 'Connections', 'setMinter', [1n, providerMinter.address, true]);
  assert.deepEqual(eventArgs(c, set, 'Connections', 'MinterSet'), { providerId: 1n, minter: providerMinter.address, allowed: true });
  assert.equal(await c.read('Connections', 'canMint', [1n, providerMinter.address]), true);
  await c.write(provider, 'Connections', 'setMinter', [1n, providerMinter.address, false]);
  assert.equal(await c.read('Connections', 'canMint', [1n, providerMinter.address]), false);
  const moved = await c.write(provider, 'Connections', 'setConnectionAddress', [1n, provider.address]);
  assert.deepEqual(eventArgs(c, moved, 'Connections', 'ConnectionAddressSet'), { connectionId: 1n, connectionAddress: provider.address });
  assert.equal(await c.read('Connections', 'canMint', [99n, provider.address]), false);
});

test('transferring a connection clears the minters the previous holder authorised', async () => {
  const { provider, providerMinter, bob } = c.actors;
  const id = await mintConnection(c);
  await c.write(provider, 'Connections', 'setMinter', [id, providerMinter.address, true]);
  const receipt = await c.write(provider, 'Connections', 'transferFrom', [provider.address, bob.address, id]);
  assert.deepEqual(eventArgs(c, receipt, 'Connections', 'MintersCleared'), { providerId: id });
  assert.equal(await c.read('Connections', 'canMint', [id, providerMinter.address]), false);
  assert.equal(await c.read('Connections', 'canMint', [id, provider.address]), false);
  assert.equal(await c.read('Connections', 'canMint', [id, bob.address]), true);
});

test('manufacturers are issued like connections', async () => {
  const { admin, maker, stranger } = c.actors;
  await expectRevert(c.write(stranger, 'Manufacturers', 'mint', [stranger.address, 'X']), 'AccessControlUnauthorizedAccount', [stranger.address, ISSUER_ROLE]);
  const receipt = await c.write(admin, 'Manufacturers', 'mint', [maker.address, 'AutoPi']);
  assert.deepEqual(eventArgs(c, receipt, 'Manufacturers', 'ManufacturerMinted'), { manufacturerId: 1n, owner: maker.address, name: 'AutoPi' });
  await expectRevert(c.write(admin, 'Manufacturers', 'mint', [maker.address, 'AutoPi']), 'NameTaken', ['AutoPi']);
});

// --- synthetic devices ---

test('the connection holder or its authorised minter mints a synthetic device to the vehicle owner', async () => {
  const { alice, bob, provider, providerMinter } = c.actors;
  const connectionId = await mintConnection(c);
  const v1 = await mintVehicle(c, alice);
  const device = deviceKey();
  const receipt = await c.write(provider, 'SyntheticDevice', 'mint', [await syntheticMintInput(c, { connectionId, vehicleId: v1, owner: alice, device })]);
  assert.deepEqual(eventArgs(c, receipt, 'SyntheticDevice', 'SyntheticDeviceMinted'), {
    syntheticDeviceId: 1n,
    vehicleId: v1,
    connectionId,
    device: device.address,
    owner: alice.address,
    minter: provider.address,
  });
  assert.equal(await c.read('SyntheticDevice', 'ownerOf', [1n]), alice.address);
  assert.deepEqual(await c.read('SyntheticDevice', 'deviceOf', [1n]), { vehicleId: v1, connectionId, device: device.address });
  assert.equal(await c.read('SyntheticDevice', 'deviceOfVehicle', [v1]), 1n);
  assert.equal(await c.read('SyntheticDevice', 'idOfDeviceAddress', [device.address]), 1n);
  assert.equal(await c.nonce('SyntheticDevice', alice.address), 1n);
  assert.equal(await c.nonce('SyntheticDevice', device.address), 1n);

  await c.write(provider, 'Connections', 'setMinter', [connectionId, providerMinter.address, true]);
  const v2 = await mintVehicle(c, bob);
  const sd2 = await mintSynthetic(c, { connectionId, vehicleId: v2, owner: bob, device: deviceKey(), minter: providerMinter });
  assert.equal(await c.read('SyntheticDevice', 'ownerOf', [sd2]), bob.address);
});

test('an address the connection did not authorise cannot mint under it', async () => {
  const { alice, stranger } = c.actors;
  const connectionId = await mintConnection(c);
  const vehicleId = await mintVehicle(c, alice);
  const input = await syntheticMintInput(c, { connectionId, vehicleId, owner: alice, device: deviceKey() });
  await expectRevert(c.write(stranger, 'SyntheticDevice', 'mint', [input]), 'NotConnectionMinter', [connectionId, stranger.address]);
  await expectRevert(c.write(alice, 'SyntheticDevice', 'mint', [input]), 'NotConnectionMinter', [connectionId, alice.address]);
  await expectRevert(c.write(stranger, 'SyntheticDevice', 'mint', [{ ...input, connectionId: 42n }]), 'NotConnectionMinter', [42n, stranger.address]);
});

test('the vehicle owner’s and the device key’s signatures are both required', async () => {
  const { alice, stranger, provider } = c.actors;
  const connectionId = await mintConnection(c);
  const vehicleId = await mintVehicle(c, alice);
  const device = deviceKey();
  const badOwner = await syntheticMintInput(c, { connectionId, vehicleId, owner: alice, device, ownerSigner: stranger });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [badOwner]), 'InvalidSignature', [alice.address]);
  const badDevice = await syntheticMintInput(c, { connectionId, vehicleId, owner: alice, device, deviceSigner: deviceKey() });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [badDevice]), 'InvalidSignature', [device.address]);
  const expired = await syntheticMintInput(c, { connectionId, vehicleId, owner: alice, device, deadline: (await c.now()) - 1n });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [expired]), 'SignatureExpired', [expired.deadline]);
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [{ ...badOwner, vehicleId: 77n }]), 'VehicleNotFound', [77n]);
});

test('a vehicle has at most one synthetic device', async () => {
  const { alice, provider } = c.actors;
  const connectionId = await mintConnection(c);
  const vehicleId = await mintVehicle(c, alice);
  await mintSynthetic(c, { connectionId, vehicleId, owner: alice, device: deviceKey() });
  const second = await syntheticMintInput(c, { connectionId, vehicleId, owner: alice, device: deviceKey() });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [second]), 'VehicleHasSyntheticDevice', [vehicleId]);
  const other = await mintConnection(c, 'Smartcar');
  const third = await syntheticMintInput(c, { connectionId: other, vehicleId, owner: alice, device: deviceKey() });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [third]), 'VehicleHasSyntheticDevice', [vehicleId]);
});

test('a device address is registered once: never reused, not after burn, not across device kinds', async () => {
  const { alice, bob, provider, maker } = c.actors;
  const connectionId = await mintConnection(c);
  const v1 = await mintVehicle(c, alice);
  const v2 = await mintVehicle(c, bob);
  const device = deviceKey();
  const sd = await mintSynthetic(c, { connectionId, vehicleId: v1, owner: alice, device });
  const reuse = await syntheticMintInput(c, { connectionId, vehicleId: v2, owner: bob, device });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [reuse]), 'DeviceAddressUsed', [device.address]);
  await c.write(alice, 'SyntheticDevice', 'burn', [sd]);
  const afterBurn = await syntheticMintInput(c, { connectionId, vehicleId: v1, owner: alice, device });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [afterBurn]), 'DeviceAddressUsed', [device.address]);
  assert.equal(await c.read('DeviceAddressRegistry', 'registrarOf', [device.address]), c.addr.SyntheticDevice);

  const manufacturerId = await mintManufacturer(c);
  await expectRevert(c.write(maker, 'AftermarketDevice', 'mint', [manufacturerId, [device.address]]), 'DeviceAddressUsed', [device.address]);
  const hardware = deviceKey();
  await mintAftermarket(c, manufacturerId, [hardware]);
  const asSynthetic = await syntheticMintInput(c, { connectionId, vehicleId: v2, owner: bob, device: hardware });
  await expectRevert(c.write(provider, 'SyntheticDevice', 'mint', [asSynthetic]), 'DeviceAddressUsed', [hardware.address]);
  await expectRevert(c.write(maker, 'AftermarketDevice', 'mint', [manufacturerId, [deviceKey().address, hardware.address]]), 'DeviceAddressUsed', [hardware.address]);
  await expectRevert(c.write(maker, 'DeviceAddressRegistry', 'register', [deviceKey().address]), 'AccessControlUnauthorizedAccount');
});

test('a synthetic device cannot be moved or approved on its own', async () => {
  const { alice, bob, stranger } = c.actors;
  const vehicleId = await mintVehicle(c, alice);
  const sd = await mintSynthetic(c, { connectionId: await mintConnection(c), vehicleId, owner: alice, device: deviceKey() });
  await expectRevert(c.write(alice, 'SyntheticDevice', 'transferFrom', [alice.address, bob.address, sd]), 'TransferNotAllowed');
  await expectRevert(c.write(alice, 'SyntheticDevice', 'approve', [bob.address, sd]), 'ApprovalsDisabled');
  await expectRevert(c.write(alice, 'SyntheticDevice', 'setApprovalForAll', [bob.address, true]), 'ApprovalsDisabled');
  await expectRevert(c.write(stranger, 'SyntheticDevice', 'onVehicleTransfer', [vehicleId, stranger.address]), 'OnlyVehicleContract');
  await expectRevert(c.write(stranger, 'AftermarketDevice', 'onVehicleTransfer', [vehicleId, stranger.address]), 'OnlyVehicleContract');
});

test('the vehicle owner or the connection burns a synthetic device; nobody else', async () => {
  const { alice, provider, providerMinter, stranger } = c.actors;
  const connectionId = await mintConnection(c);
  await c.write(provider, 'Connections', 'setMinter', [connectionId, providerMinter.address, true]);
  const vehicleId = await mintVehicle(c, alice);
  const device = deviceKey();
  const sd = await mintSynthetic(c, { connectionId, vehicleId, owner: alice, device });
  await expectRevert(c.write(stranger, 'SyntheticDevice', 'burn', [sd]), 'NotAuthorizedToBurn', [sd, stranger.address]);
  const receipt = await c.write(providerMinter, 'SyntheticDevice', 'burn', [sd]);
  assert.deepEqual(eventArgs(c, receipt, 'SyntheticDevice', 'SyntheticDeviceBurned'), { syntheticDeviceId: sd, vehicleId, connectionId, device: device.address, by: providerMinter.address });
  assert.equal(await c.read('SyntheticDevice', 'deviceOfVehicle', [vehicleId]), 0n);
  // Reconnect with a fresh device key, then the owner disconnects.
  const sd2 = await mintSynthetic(c, { connectionId, vehicleId, owner: alice, device: deviceKey() });
  await c.write(alice, 'SyntheticDevice', 'burn', [sd2]);
  assert.equal(await c.read('VehicleId', 'hasDevices', [vehicleId]), false);
});

// --- aftermarket devices ---

async function claimedDevice(owner: LocalAccount): Promise<{ id: bigint; key: LocalAccount }> {
  const manufacturerId = (await c.read<bigint>('Manufacturers', 'idOfName', ['AutoPi'])) || (await mintManufacturer(c));
  const key = deviceKey();
  const [id] = await mintAftermarket(c, manufacturerId, [key]);
  await claimAftermarket(c, id!, owner, key);
  return { id: id!, key };
}

test('a manufacturer (holder or authorised minter) mints devices to itself', async () => {
  const { maker, providerMinter, stranger } = c.actors;
  const manufacturerId = await mintManufacturer(c);
  const keys = [deviceKey(), deviceKey()];
  const receipt = await c.write(maker, 'AftermarketDevice', 'mint', [manufacturerId, keys.map((k) => k.address)]);
  const minted = c.events(receipt, 'AftermarketDevice').filter((e) => e.eventName === 'AftermarketDeviceMinted').map((e) => e.args);
  assert.deepEqual(minted, [
    { aftermarketDeviceId: 1n, manufacturerId, device: keys[0]!.address, owner: maker.address },
    { aftermarketDeviceId: 2n, manufacturerId, device: keys[1]!.address, owner: maker.address },
  ]);
  assert.deepEqual(await c.read('AftermarketDevice', 'deviceOf', [2n]), { manufacturerId, device: keys[1]!.address, claimed: false, vehicleId: 0n });
  await expectRevert(c.write(stranger, 'AftermarketDevice', 'mint', [manufacturerId, [deviceKey().address]]), 'NotManufacturerMinter', [manufacturerId, stranger.address]);
  await c.write(maker, 'Manufacturers', 'setMinter', [manufacturerId, providerMinter.address, true]);
  const [third] = await mintAftermarket(c, manufacturerId, [deviceKey()], providerMinter);
  assert.equal(await c.read('AftermarketDevice', 'ownerOf', [third]), maker.address); // to the manufacturer, not the minter
});

test('claiming needs the device key’s signature and happens once; it can be relayed', async () => {
  const { alice, bob, node, maker } = c.actors;
  const manufacturerId = await mintManufacturer(c);
  const [k1, k2] = [deviceKey(), deviceKey()];
  const [ad1, ad2] = await mintAftermarket(c, manufacturerId, [k1, k2]);
  const deadline = await deadlineIn(c);
  const forged = await signClaim(c, deviceKey(), ad1!, alice.address, deadline);
  await expectRevert(c.write(alice, 'AftermarketDevice', 'claim', [ad1, deadline, forged.nonce, forged.signature]), 'InvalidSignature', [k1.address]);
  // A device signature names its owner: bob cannot use one made out to alice.
  const forAlice = await signClaim(c, k1, ad1!, alice.address, deadline);
  await expectRevert(c.write(bob, 'AftermarketDevice', 'claim', [ad1, deadline, forAlice.nonce, forAlice.signature]), 'InvalidSignature', [k1.address]);
  const receipt = await c.write(alice, 'AftermarketDevice', 'claim', [ad1, deadline, forAlice.nonce, forAlice.signature]);
  assert.deepEqual(eventArgs(c, receipt, 'AftermarketDevice', 'AftermarketDeviceClaimed'), { aftermarketDeviceId: ad1, owner: alice.address });
  assert.deepEqual(eventArgs(c, receipt, 'AftermarketDevice', 'Transfer'), { from: maker.address, to: alice.address, tokenId: ad1 });
  await expectRevert(claimAftermarket(c, ad1!, bob, k1), 'DeviceAlreadyClaimed', [ad1]);

  const ownerSig = await signClaim(c, bob, ad2!, bob.address, deadline);
  const deviceSig = await signClaim(c, k2, ad2!, bob.address, deadline);
  await expectRevert(
    c.write(node, 'AftermarketDevice', 'claimBySig', [ad2, bob.address, deadline, ownerSig.nonce, deviceSig.signature, deviceSig.nonce, deviceSig.signature]),
    'InvalidSignature',
    [bob.address],
  );
  await c.write(node, 'AftermarketDevice', 'claimBySig', [ad2, bob.address, deadline, ownerSig.nonce, ownerSig.signature, deviceSig.nonce, deviceSig.signature]);
  assert.equal(await c.read('AftermarketDevice', 'ownerOf', [ad2]), bob.address);
});

test('the owner of both pairs; one device per vehicle and one vehicle per device; either unpairs', async () => {
  const { alice, bob, maker, stranger } = c.actors;
  const manufacturerId = await mintManufacturer(c);
  const [unclaimed] = await mintAftermarket(c, manufacturerId, [deviceKey()]);
  const makersCar = await mintVehicle(c, maker);
  await expectRevert(c.write(maker, 'AftermarketDevice', 'pair', [unclaimed, makersCar]), 'DeviceNotClaimed', [unclaimed]);

  const ad1 = (await claimedDevice(alice)).id;
  const ad2 = (await claimedDevice(alice)).id;
  const v1 = await mintVehicle(c, alice);
  const v2 = await mintVehicle(c, alice);
  const receipt = await c.write(alice, 'AftermarketDevice', 'pair', [ad1, v1]);
  assert.deepEqual(eventArgs(c, receipt, 'AftermarketDevice', 'AftermarketDevicePaired'), { aftermarketDeviceId: ad1, vehicleId: v1, deviceOwner: alice.address, vehicleOwner: alice.address });
  assert.equal(await c.read('AftermarketDevice', 'deviceOfVehicle', [v1]), ad1);
  assert.equal(((await c.read('AftermarketDevice', 'deviceOf', [ad1])) as { vehicleId: bigint }).vehicleId, v1);
  await expectRevert(c.write(alice, 'AftermarketDevice', 'pair', [ad2, v1]), 'VehicleHasAftermarketDevice', [v1]);
  await expectRevert(c.write(alice, 'AftermarketDevice', 'pair', [ad1, v2]), 'DeviceAlreadyPaired', [ad1]);
  await expectRevert(c.write(bob, 'AftermarketDevice', 'pair', [ad2, v2]), 'NotDeviceOwner', [ad2, bob.address]);
  await expectRevert(c.write(alice, 'AftermarketDevice', 'pair', [ad2, 999n]), 'VehicleNotFound', [999n]);

  await expectRevert(c.write(stranger, 'AftermarketDevice', 'unpair', [ad1]), 'NotAuthorizedToUnpair', [ad1, stranger.address]);
  const un = await c.write(alice, 'AftermarketDevice', 'unpair', [ad1]);
  assert.deepEqual(eventArgs(c, un, 'AftermarketDevice', 'AftermarketDeviceUnpaired'), { aftermarketDeviceId: ad1, vehicleId: v1, by: alice.address });
  await expectRevert(c.write(alice, 'AftermarketDevice', 'unpair', [ad1]), 'DeviceNotPaired', [ad1]);
  await c.write(alice, 'AftermarketDevice', 'pair', [ad2, v1]);
});

test('a device and a vehicle of different owners pair with both signatures; either owner unpairs', async () => {
  const { alice, bob, node, stranger } = c.actors;
  const ad = (await claimedDevice(alice)).id;
  const v = await mintVehicle(c, bob);
  await expectRevert(c.write(alice, 'AftermarketDevice', 'pair', [ad, v]), 'NotVehicleOwner', [v, alice.address]);
  const deadline = await deadlineIn(c);
  const sign = async (signer: LocalAccount, as: LocalAccount) => {
    const nonce = await c.nonce('AftermarketDevice', as.address);
    return { nonce, signature: await c.sign(signer, 'AftermarketDevice', 'PairAftermarketDevice', { aftermarketDeviceId: ad, vehicleId: v, nonce, deadline }) };
  };
  const a = await sign(alice, alice);
  const forgedBob = await sign(stranger, bob);
  const input = (b: { nonce: bigint; signature: Hex }) => ({ aftermarketDeviceId: ad, vehicleId: v, deadline, deviceOwnerNonce: a.nonce, deviceOwnerSignature: a.signature, vehicleOwnerNonce: b.nonce, vehicleOwnerSignature: b.signature });
  await expectRevert(c.write(node, 'AftermarketDevice', 'pairBySig', [input(forgedBob)]), 'InvalidSignature', [bob.address]);
  const receipt = await c.write(node, 'AftermarketDevice', 'pairBySig', [input(await sign(bob, bob))]);
  assert.deepEqual(eventArgs(c, receipt, 'AftermarketDevice', 'AftermarketDevicePaired'), { aftermarketDeviceId: ad, vehicleId: v, deviceOwner: alice.address, vehicleOwner: bob.address });
  await c.write(bob, 'AftermarketDevice', 'unpair', [ad]);

  // Bob sends it himself with only Alice's signature, then Alice unpairs through a relayer.
  const again = await sign(alice, alice);
  await c.write(bob, 'AftermarketDevice', 'pairBySig', [{ ...input({ nonce: 0n, signature: '0x' }), deviceOwnerNonce: again.nonce, deviceOwnerSignature: again.signature }]);
  const nonce = await c.nonce('AftermarketDevice', alice.address);
  const unpairSig = await c.sign(alice, 'AftermarketDevice', 'UnpairAftermarketDevice', { aftermarketDeviceId: ad, nonce, deadline });
  await expectRevert(c.write(node, 'AftermarketDevice', 'unpairBySig', [ad, stranger.address, 0n, deadline, unpairSig]), 'InvalidSignature', [stranger.address]);
  const un = await c.write(node, 'AftermarketDevice', 'unpairBySig', [ad, alice.address, nonce, deadline, unpairSig]);
  assert.equal(eventArgs(c, un, 'AftermarketDevice', 'AftermarketDeviceUnpaired').by, alice.address);
});

test('a transfer of the vehicle or of the device ends the pairing', async () => {
  const { alice, bob } = c.actors;
  const ad = (await claimedDevice(alice)).id;
  const v = await mintVehicle(c, alice);
  await c.write(alice, 'AftermarketDevice', 'pair', [ad, v]);
  const moved = await c.write(alice, 'VehicleId', 'transferFrom', [alice.address, bob.address, v]);
  assert.deepEqual(eventArgs(c, moved, 'AftermarketDevice', 'AftermarketDeviceUnpaired'), { aftermarketDeviceId: ad, vehicleId: v, by: zeroAddress });
  assert.equal(await c.read('AftermarketDevice', 'ownerOf', [ad]), alice.address);
  const v2 = await mintVehicle(c, alice);
  await c.write(alice, 'AftermarketDevice', 'pair', [ad, v2]);
  const sold = await c.write(alice, 'AftermarketDevice', 'transferFrom', [alice.address, bob.address, ad]);
  assert.deepEqual(eventArgs(c, sold, 'AftermarketDevice', 'AftermarketDeviceUnpaired'), { aftermarketDeviceId: ad, vehicleId: v2, by: zeroAddress });
  assert.equal(await c.read('AftermarketDevice', 'deviceOfVehicle', [v2]), 0n);
});

test('a vehicle with a paired aftermarket device cannot burn; after unpairing it can', async () => {
  const { alice } = c.actors;
  const ad = (await claimedDevice(alice)).id;
  const v = await mintVehicle(c, alice);
  await c.write(alice, 'AftermarketDevice', 'pair', [ad, v]);
  const { app } = c.actors;
  await c.write(alice, 'Permissions', 'grant', [c.addr.VehicleId, v, app.address, 12n, await deadlineIn(c), zeroHash]);
  await expectRevert(c.write(alice, 'VehicleId', 'burn', [v]), 'VehicleHasDevices', [v]);
  await c.write(alice, 'AftermarketDevice', 'unpair', [ad]);
  assert.equal(await c.read('Permissions', 'hasPrivilege', [c.addr.VehicleId, v, app.address, 1n]), true);
  await c.write(alice, 'VehicleId', 'burn', [v]);
  assert.equal(await c.read('Permissions', 'hasPrivilege', [c.addr.VehicleId, v, app.address, 1n]), false);
  assert.equal(await c.read('VehicleId', 'tokenVersion', [v]), 1n);
});
