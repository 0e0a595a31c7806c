// EIP-712 domains and types of every signed action the identity and consent contracts accept. Must match
// the *_TYPEHASH constants in contracts/; every struct ends in the signer's nonce (read `nonces(signer)` on
// the same contract) and a deadline in unix seconds (valid while block.timestamp <= deadline).
import type { Address, TypedDataDomain } from 'viem';

export const EIP712_DOMAIN_NAMES = {
  VehicleId: 'DIMO Vehicle ID',
  SyntheticDevice: 'DIMO Synthetic Device',
  AftermarketDevice: 'DIMO Aftermarket Device',
  Permissions: 'DIMO Permissions',
} as const;

export type SigningContract = keyof typeof EIP712_DOMAIN_NAMES;

const tail = [
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
] as const;

export const EIP712_TYPES = {
  /** VehicleId.mintBySig, signed by the owner. */
  MintVehicle: [
    { name: 'owner', type: 'address' },
    { name: 'make', type: 'string' },
    { name: 'model', type: 'string' },
    { name: 'year', type: 'uint16' },
    { name: 'vinHash', type: 'bytes32' },
    ...tail,
  ],
  /** SyntheticDevice.mint, signed by the vehicle owner and by the device key, each with its own nonce. */
  MintSyntheticDevice: [
    { name: 'connectionId', type: 'uint256' },
    { name: 'vehicleId', type: 'uint256' },
    { name: 'device', type: 'address' },
    ...tail,
  ],
  /** AftermarketDevice.claim / claimBySig, signed by the device key (and by the owner when relayed). */
  ClaimAftermarketDevice: [
    { name: 'aftermarketDeviceId', type: 'uint256' },
    { name: 'owner', type: 'address' },
    ...tail,
  ],
  /** AftermarketDevice.pairBySig, signed by the owner of both tokens. */
  PairAftermarketDevice: [
    { name: 'aftermarketDeviceId', type: 'uint256' },
    { name: 'vehicleId', type: 'uint256' },
    ...tail,
  ],
  /** AftermarketDevice.unpairBySig, signed by the device owner or the paired vehicle's owner. */
  UnpairAftermarketDevice: [{ name: 'aftermarketDeviceId', type: 'uint256' }, ...tail],
  /** Permissions.grantBySig, signed by the token's current owner. */
  Grant: [
    { name: 'asset', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'grantee', type: 'address' },
    { name: 'permissions', type: 'uint256' },
    { name: 'expiration', type: 'uint256' },
    { name: 'source', type: 'bytes32' },
    ...tail,
  ],
  /** Permissions.revokeBySig, signed by the token's current owner. */
  Revoke: [
    { name: 'asset', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'grantee', type: 'address' },
    ...tail,
  ],
  /** Permissions.grantAccountBySig, signed by the grantor. */
  GrantAccount: [
    { name: 'grantee', type: 'address' },
    { name: 'permissions', type: 'uint256' },
    { name: 'expiration', type: 'uint256' },
    { name: 'source', type: 'bytes32' },
    ...tail,
  ],
  /** Permissions.revokeAccountBySig, signed by the grantor. */
  RevokeAccount: [{ name: 'grantee', type: 'address' }, ...tail],
} as const;

export type SignedActionType = keyof typeof EIP712_TYPES;

export function eip712Domain(contract: SigningContract, chainId: number, verifyingContract: Address): TypedDataDomain {
  return { name: EIP712_DOMAIN_NAMES[contract], version: '1', chainId, verifyingContract };
}
