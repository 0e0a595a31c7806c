// VehicleId: minting (direct, relayed by signature, ERC-1271 wallets), transfer rules, versioning,
// the onboarding gate and burning.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFunctionData, zeroAddress, zeroHash, type Address, type Hex } from 'viem';
import { expectRevert, startIdentityChain, type IdentityChain } from './support/identity-chain.ts';
import { deadlineIn, deviceKey, eventArgs, mintConnection, mintSynthetic, mintVehicle, MODEL_3, signVehicleMint } from './support/identity-flows.ts';

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

test('the owner mints directly; VehicleMinted carries owner, relayer and every attribute', async () => {
  const { alice } = c.actors;
  const receipt = await c.write(alice, 'VehicleId', 'mint', [MODEL_3]);
  const ev = eventArgs(c, receipt, 'VehicleId', 'VehicleMinted');
  assert.deepEqual(ev, { vehicleId: 1n, owner: alice.address, relayer: alice.address, make: 'Tesla', model: 'Model 3', year: 2022, vinHash: MODEL_3.vinHash });
  assert.equal(await c.read('VehicleId', 'ownerOf', [1n]), alice.address);
  assert.deepEqual(await c.read('VehicleId', 'attributesOf', [1n]), MODEL_3);
  assert.equal(await c.read('VehicleId', 'tokenVersion', [1n]), 0n);
  assert.equal(await c.read('VehicleId', 'name'), 'DIMO Vehicle ID');
});

test('a relayer mints with the owner’s EIP-712 signature; the nonce advances', async () => {
  const { alice, node } = c.actors;
  const signed = await signVehicleMint(c, alice, alice.address);
  const receipt = await c.write(node, 'VehicleId', 'mintBySig', signed.args);
  const ev = eventArgs(c, receipt, 'VehicleId', 'VehicleMinted');
  assert.equal(ev.owner, alice.address);
  assert.equal(ev.relayer, node.address);
  assert.equal(await c.read('VehicleId', 'ownerOf', [ev.vehicleId]), alice.address);
  assert.equal(await c.nonce('VehicleId', alice.address), 1n);
});

test('a signature by anyone but the owner, or over other attributes, is refused', async () => {
  const { alice, stranger, node } = c.actors;
  const forged = await signVehicleMint(c, stranger, alice.address);
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', forged.args), 'InvalidSignature', [alice.address]);
  const signed = await signVehicleMint(c, alice, alice.address);
  const altered = [signed.owner, { ...MODEL_3, model: 'Model Y' }, signed.nonce, signed.deadline, signed.signature];
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', altered), 'InvalidSignature', [alice.address]);
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', [signed.owner, MODEL_3, signed.nonce, signed.deadline, '0x1234']), 'InvalidSignature', [alice.address]);
});

test('a replayed signature is refused: its nonce is used', async () => {
  const { alice, node, stranger } = c.actors;
  const signed = await signVehicleMint(c, alice, alice.address);
  await c.write(node, 'VehicleId', 'mintBySig', signed.args);
  await expectRevert(c.write(stranger, 'VehicleId', 'mintBySig', signed.args), 'InvalidAccountNonce', [alice.address, 1n]);
  // A signature made for a future nonce is refused too.
  const ahead = await signVehicleMint(c, alice, alice.address, MODEL_3, { nonce: 5n });
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', ahead.args), 'InvalidAccountNonce', [alice.address, 1n]);
});

test('a signature is accepted up to its deadline second and refused after it', async () => {
  const { alice, node } = c.actors;
  const deadline = (await c.now()) + 100n;
  const late = await signVehicleMint(c, alice, alice.address, MODEL_3, { deadline });
  await c.nextBlockAt(deadline + 1n);
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', late.args), 'SignatureExpired', [deadline]);
  await c.revert(snap);
  snap = await c.snapshot();
  const onTime = await signVehicleMint(c, alice, alice.address, MODEL_3, { deadline });
  await c.nextBlockAt(deadline);
  await c.write(node, 'VehicleId', 'mintBySig', onTime.args);
});

test('an ERC-1271 contract wallet owns a vehicle by signature and moves it with its own call', async () => {
  const { alice, bob, node, stranger } = c.actors;
  const wallet = await c.deploy(alice, 'TestWallet1271', [alice.address]);
  const forged = await signVehicleMint(c, stranger, wallet);
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', forged.args), 'InvalidSignature', [wallet]);
  const signed = await signVehicleMint(c, alice, wallet); // alice signs for her wallet
  const receipt = await c.write(node, 'VehicleId', 'mintBySig', signed.args);
  const id = eventArgs(c, receipt, 'VehicleId', 'VehicleMinted').vehicleId as bigint;
  assert.equal(await c.read('VehicleId', 'ownerOf', [id]), wallet);
  assert.equal(await c.nonce('VehicleId', wallet), 1n);
  const transfer = encodeFunctionData({ abi: c.artifacts.VehicleId!.abi, functionName: 'transferFrom', args: [wallet, bob.address, id] });
  await c.write(alice, wallet, 'execute', [c.addr.VehicleId, transfer], 'TestWallet1271');
  assert.equal(await c.read('VehicleId', 'ownerOf', [id]), bob.address);
});

test('attributes must be present and short; a VIN is only ever a commitment', async () => {
  const { alice } = c.actors;
  await expectRevert(c.write(alice, 'VehicleId', 'mint', [{ ...MODEL_3, make: '' }]), 'AttributesInvalid');
  await expectRevert(c.write(alice, 'VehicleId', 'mint', [{ ...MODEL_3, model: 'x'.repeat(65) }]), 'AttributesInvalid');
  const id = await mintVehicle(c, alice, { ...MODEL_3, vinHash: zeroHash, year: 0 });
  assert.equal(((await c.read('VehicleId', 'attributesOf', [id])) as { vinHash: Hex }).vinHash, zeroHash);
});

test('approvals are disabled and nobody but the owner can transfer', async () => {
  const { alice, bob, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  await expectRevert(c.write(alice, 'VehicleId', 'approve', [stranger.address, id]), 'ApprovalsDisabled');
  await expectRevert(c.write(alice, 'VehicleId', 'setApprovalForAll', [stranger.address, true]), 'ApprovalsDisabled');
  await expectRevert(c.write(stranger, 'VehicleId', 'transferFrom', [alice.address, stranger.address, id]), 'ERC721InsufficientApproval', [stranger.address, id]);
  await expectRevert(c.write(bob, 'VehicleId', 'safeTransferFrom', [alice.address, bob.address, id]), 'ERC721InsufficientApproval', [bob.address, id]);
  assert.equal(await c.read('VehicleId', 'ownerOf', [id]), alice.address);
});

test('an owner transfer bumps the version and moves the synthetic device with the vehicle', async () => {
  const { alice, bob } = c.actors;
  const id = await mintVehicle(c, alice);
  const connectionId = await mintConnection(c);
  const sd = await mintSynthetic(c, { connectionId, vehicleId: id, owner: alice, device: deviceKey() });
  assert.equal(await c.read('SyntheticDevice', 'ownerOf', [sd]), alice.address);
  const receipt = await c.write(alice, 'VehicleId', 'safeTransferFrom', [alice.address, bob.address, id]);
  assert.deepEqual(eventArgs(c, receipt, 'VehicleId', 'VehicleTransferred'), { vehicleId: id, from: alice.address, to: bob.address, version: 1n });
  assert.deepEqual(eventArgs(c, receipt, 'SyntheticDevice', 'Transfer'), { from: alice.address, to: bob.address, tokenId: sd });
  assert.equal(await c.read('VehicleId', 'tokenVersion', [id]), 1n);
  assert.equal(await c.read('SyntheticDevice', 'ownerOf', [sd]), bob.address);
  assert.deepEqual(await c.read('VehicleId', 'attributesOf', [id]), MODEL_3);
});

test('the onboarding gate refuses relayers it does not approve; owners minting themselves are not gated', async () => {
  const { admin, alice, bob, node, stranger } = c.actors;
  await expectRevert(c.write(stranger, 'VehicleId', 'setOnboardingGate', [stranger.address]), 'AccessControlUnauthorizedAccount', [stranger.address, zeroHash]);
  const gate = await c.deploy(admin, 'TestOnboardingGate');
  const receipt = await c.write(admin, 'VehicleId', 'setOnboardingGate', [gate]);
  assert.deepEqual(eventArgs(c, receipt, 'VehicleId', 'OnboardingGateSet'), { gate });
  const signed = await signVehicleMint(c, alice, alice.address);
  await expectRevert(c.write(node, 'VehicleId', 'mintBySig', signed.args), 'RelayerNotAllowed', [node.address]);
  await c.write(admin, gate, 'setAllowed', [node.address, true], 'TestOnboardingGate');
  await c.write(node, 'VehicleId', 'mintBySig', signed.args);
  await mintVehicle(c, bob);
  await c.write(admin, 'VehicleId', 'setOnboardingGate', [zeroAddress]);
  await c.write(stranger, 'VehicleId', 'mintBySig', (await signVehicleMint(c, bob, bob.address)).args);
});

test('burn: only by the owner, never with a device paired; it clears attributes and bumps the version', async () => {
  const { alice, stranger } = c.actors;
  const id = await mintVehicle(c, alice);
  const sd = await mintSynthetic(c, { connectionId: await mintConnection(c), vehicleId: id, owner: alice, device: deviceKey() });
  await expectRevert(c.write(stranger, 'VehicleId', 'burn', [id]), 'NotVehicleOwner', [id, stranger.address]);
  await expectRevert(c.write(alice, 'VehicleId', 'burn', [id]), 'VehicleHasDevices', [id]);
  await c.write(alice, 'SyntheticDevice', 'burn', [sd]);
  const receipt = await c.write(alice, 'VehicleId', 'burn', [id]);
  assert.deepEqual(eventArgs(c, receipt, 'VehicleId', 'VehicleBurned'), { vehicleId: id, owner: alice.address, version: 1n });
  assert.equal(await c.read('VehicleId', 'tokenVersion', [id]), 1n);
  await expectRevert(c.read('VehicleId', 'attributesOf', [id]), 'ERC721NonexistentToken', [id]);
  // Ids are never reused.
  assert.equal(await mintVehicle(c, alice), id + 1n);
});

test('only the admin wires the device contracts', async () => {
  const { stranger } = c.actors;
  await expectRevert(c.write(stranger, 'VehicleId', 'setDeviceContracts', [stranger.address, stranger.address]), 'AccessControlUnauthorizedAccount', [stranger.address, zeroHash]);
  assert.equal(await c.read<Address>('VehicleId', 'syntheticDevice'), c.addr.SyntheticDevice);
  assert.equal(await c.read<Address>('VehicleId', 'aftermarketDevice'), c.addr.AftermarketDevice);
  assert.ok(await deadlineIn(c));
});
