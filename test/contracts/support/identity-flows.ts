// Short-hands for the common multi-step flows, so each test reads as the rule it checks.
import { keccak256, toHex, type Address, type Hex, type TransactionReceipt } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import type { IdentityChain } from './identity-chain.ts';

export interface VehicleAttributes {
  make: string;
  model: string;
  year: number;
  vinHash: Hex;
}

export const MODEL_3: VehicleAttributes = { make: 'Tesla', model: 'Model 3', year: 2022, vinHash: keccak256(toHex('salt:5YJ3E1EA7NF000001')) };

export function deviceKey(): LocalAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export function eventArgs(c: IdentityChain, receipt: TransactionReceipt, contract: Parameters<IdentityChain['events']>[1], eventName: string): Record<string, unknown> {
  const found = c.events(receipt, contract).find((e) => e.eventName === eventName);
  if (!found) throw new Error(`${contract} emitted no ${eventName}`);
  return found.args;
}

export async function deadlineIn(c: IdentityChain, seconds = 3600n): Promise<bigint> {
  return (await c.now()) + seconds;
}

/** Direct mint by the owner. */
export async function mintVehicle(c: IdentityChain, owner: LocalAccount, attributes = MODEL_3): Promise<bigint> {
  const receipt = await c.write(owner, 'VehicleId', 'mint', [attributes]);
  return eventArgs(c, receipt, 'VehicleId', 'VehicleMinted').vehicleId as bigint;
}

export async function signVehicleMint(c: IdentityChain, signer: LocalAccount, owner: Address, attributes = MODEL_3, opts: { nonce?: bigint; deadline?: bigint } = {}) {
  const nonce = opts.nonce ?? (await c.nonce('VehicleId', owner));
  const deadline = opts.deadline ?? (await deadlineIn(c));
  const signature = await c.sign(signer, 'VehicleId', 'MintVehicle', { owner, ...attributes, nonce, deadline });
  return { owner, attributes, nonce, deadline, signature, args: [owner, attributes, nonce, deadline, signature] as const };
}

export async function mintConnection(c: IdentityChain, name = 'Tesla Fleet API', holder = c.actors.provider): Promise<bigint> {
  const receipt = await c.write(c.actors.admin, 'Connections', 'mint', [holder.address, name, holder.address]);
  return eventArgs(c, receipt, 'Connections', 'ConnectionMinted').connectionId as bigint;
}

export interface SyntheticMint {
  connectionId: bigint;
  vehicleId: bigint;
  owner: LocalAccount;
  device: LocalAccount;
  minter?: LocalAccount;
  /** Signs instead of the owner (to test refusals). */
  ownerSigner?: LocalAccount;
  deviceSigner?: LocalAccount;
  deadline?: bigint;
}

export async function syntheticMintInput(c: IdentityChain, m: SyntheticMint) {
  const deadline = m.deadline ?? (await deadlineIn(c));
  const ownerNonce = await c.nonce('SyntheticDevice', m.owner.address);
  const deviceNonce = await c.nonce('SyntheticDevice', m.device.address);
  const base = { connectionId: m.connectionId, vehicleId: m.vehicleId, device: m.device.address, deadline };
  return {
    ...base,
    ownerNonce,
    ownerSignature: await c.sign(m.ownerSigner ?? m.owner, 'SyntheticDevice', 'MintSyntheticDevice', { ...base, nonce: ownerNonce }),
    deviceNonce,
    deviceSignature: await c.sign(m.deviceSigner ?? m.device, 'SyntheticDevice', 'MintSyntheticDevice', { ...base, nonce: deviceNonce }),
  };
}

export async function mintSynthetic(c: IdentityChain, m: SyntheticMint): Promise<bigint> {
  const receipt = await c.write(m.minter ?? c.actors.provider, 'SyntheticDevice', 'mint', [await syntheticMintInput(c, m)]);
  return eventArgs(c, receipt, 'SyntheticDevice', 'SyntheticDeviceMinted').syntheticDeviceId as bigint;
}

export async function mintManufacturer(c: IdentityChain, name = 'AutoPi', holder = c.actors.maker): Promise<bigint> {
  const receipt = await c.write(c.actors.admin, 'Manufacturers', 'mint', [holder.address, name]);
  return eventArgs(c, receipt, 'Manufacturers', 'ManufacturerMinted').manufacturerId as bigint;
}

/** Mints one aftermarket device per key to the manufacturer's holder; returns their ids. */
export async function mintAftermarket(c: IdentityChain, manufacturerId: bigint, devices: LocalAccount[], minter = c.actors.maker): Promise<bigint[]> {
  const receipt = await c.write(minter, 'AftermarketDevice', 'mint', [manufacturerId, devices.map((d) => d.address)]);
  return c.events(receipt, 'AftermarketDevice').filter((e) => e.eventName === 'AftermarketDeviceMinted').map((e) => e.args.aftermarketDeviceId as bigint);
}

export async function signClaim(c: IdentityChain, signer: LocalAccount, adId: bigint, owner: Address, deadline: bigint) {
  const nonce = await c.nonce('AftermarketDevice', signer.address);
  return { nonce, signature: await c.sign(signer, 'AftermarketDevice', 'ClaimAftermarketDevice', { aftermarketDeviceId: adId, owner, nonce, deadline }) };
}

/** The owner claims directly with the device key's signature. */
export async function claimAftermarket(c: IdentityChain, adId: bigint, owner: LocalAccount, device: LocalAccount): Promise<TransactionReceipt> {
  const deadline = await deadlineIn(c);
  const d = await signClaim(c, device, adId, owner.address, deadline);
  return c.write(owner, 'AftermarketDevice', 'claim', [adId, deadline, d.nonce, d.signature]);
}
