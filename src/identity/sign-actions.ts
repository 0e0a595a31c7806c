// Builds the EIP-712 typed data of the actions the relayer accepts, so owners' wallets (the dashboard,
// the emulator, tests) sign exactly what the contracts check.
import type { Address, Hex, LocalAccount } from 'viem';
import { EIP712_TYPES, eip712Domain, type SignedActionType, type SigningContract } from '../consent/eip712-types.ts';

export interface SigningTarget {
  chainId: number;
  /** The contract that checks the signature. */
  verifyingContract: Address;
}

export interface MintVehicleMessage {
  owner: Address;
  make: string;
  model: string;
  year: number;
  vinHash: Hex;
  nonce: bigint;
  deadline: bigint;
}

export interface GrantMessage {
  asset: Address;
  tokenId: bigint;
  grantee: Address;
  permissions: bigint;
  expiration: bigint;
  source: Hex;
  nonce: bigint;
  deadline: bigint;
}

export interface RevokeMessage {
  asset: Address;
  tokenId: bigint;
  grantee: Address;
  nonce: bigint;
  deadline: bigint;
}

export interface GrantAccountMessage {
  grantee: Address;
  permissions: bigint;
  expiration: bigint;
  source: Hex;
  nonce: bigint;
  deadline: bigint;
}

export interface RevokeAccountMessage {
  grantee: Address;
  nonce: bigint;
  deadline: bigint;
}

interface Messages {
  MintVehicle: MintVehicleMessage;
  Grant: GrantMessage;
  Revoke: RevokeMessage;
  GrantAccount: GrantAccountMessage;
  RevokeAccount: RevokeAccountMessage;
}

const CONTRACT_OF: Record<keyof Messages, SigningContract> = {
  MintVehicle: 'VehicleId',
  Grant: 'Permissions',
  Revoke: 'Permissions',
  GrantAccount: 'Permissions',
  RevokeAccount: 'Permissions',
};

/** The typed data for `primaryType`, ready for any EIP-712 signer (viem, a browser wallet). */
export function typedDataFor<T extends keyof Messages>(primaryType: T, target: SigningTarget, message: Messages[T]) {
  return {
    domain: eip712Domain(CONTRACT_OF[primaryType], target.chainId, target.verifyingContract),
    types: { [primaryType]: EIP712_TYPES[primaryType as SignedActionType] },
    primaryType,
    message,
  };
}

export function signAction<T extends keyof Messages>(signer: LocalAccount, primaryType: T, target: SigningTarget, message: Messages[T]): Promise<Hex> {
  return signer.signTypedData(typedDataFor(primaryType, target, message) as unknown as Parameters<LocalAccount['signTypedData']>[0]);
}
