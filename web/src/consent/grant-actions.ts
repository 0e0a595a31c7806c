// Granting and revoking app access, signed by the owner in the browser and relayed by the node (owners
// need no gas): the consent document is signed and stored first, its hash becomes the grant's source.
import type { Address, Hex } from 'viem';
import { EIP712_TYPES } from '../../../src/consent/eip712-types.ts';
import { api } from '../api/http.ts';
import type { SigningInfo } from '../api/types.ts';
import type { Signer } from '../wallet/signer.ts';
import { privilegesToMask } from './privileges.ts';
import { signedConsentDocument } from './sacd.ts';

// The same EIP-712 types the node and the contracts use: one definition, so a signature made here always
// verifies there.
const GRANT_TYPES = { Grant: EIP712_TYPES.Grant };
const REVOKE_TYPES = { Revoke: EIP712_TYPES.Revoke };

/** Signatures stay valid for an hour: long enough for a slow wallet, short enough to be harmless. */
const deadline = () => BigInt(Math.floor(Date.now() / 1000) + 3600);

async function signing(signer: Signer): Promise<{ info: SigningInfo; vehicleContract: Address; permissions: SigningInfo['contracts'][string] }> {
  const info = await api<SigningInfo>(`/v1/relay/signing/${signer.address}`);
  const vehicle = info.contracts.VehicleId;
  const permissions = info.contracts.Permissions;
  if (!vehicle || !permissions) throw new Error('this node has no VehicleId or Permissions contract');
  return { info, vehicleContract: vehicle.domain.verifyingContract, permissions };
}

export interface GrantInput {
  tokenId: string;
  grantee: string;
  privileges: number[];
  purpose: string;
  /** Unix seconds. */
  expiration: number;
  streams: Array<{ signal: string; frequency: string }>;
}

export async function grantAccess(signer: Signer, g: GrantInput): Promise<{ txHash: string; source: Hex }> {
  const { info, vehicleContract, permissions } = await signing(signer);
  const { document, hash } = await signedConsentDocument(signer, { chainId: info.chainId, vehicleContract, tokenId: g.tokenId, grantee: g.grantee, permissions: g.privileges, purpose: g.purpose, expiration: g.expiration, streams: g.streams });
  const stored = await api<{ hash: string }>('/v1/consent/documents', { body: { document } });
  if (stored.hash.toLowerCase() !== hash.toLowerCase()) throw new Error('the node computed another hash for the consent document');
  const message = {
    asset: vehicleContract, tokenId: BigInt(g.tokenId), grantee: g.grantee as Address, permissions: privilegesToMask(g.privileges),
    expiration: BigInt(g.expiration), source: hash, nonce: BigInt(permissions.nonce), deadline: deadline(),
  };
  const signature = await signer.signTypedData({ domain: permissions.domain, types: GRANT_TYPES, primaryType: 'Grant', message });
  const relayed = await api<{ txHash: string }>('/v1/relay/grants', {
    body: {
      asset: vehicleContract, tokenId: g.tokenId, grantee: g.grantee, permissions: message.permissions.toString(), expiration: String(g.expiration),
      source: hash, nonce: permissions.nonce, deadline: message.deadline.toString(), signature,
    },
  });
  return { txHash: relayed.txHash, source: hash };
}

export async function revokeAccess(signer: Signer, tokenId: string, grantee: string): Promise<{ txHash: string }> {
  const { vehicleContract, permissions } = await signing(signer);
  const message = { asset: vehicleContract, tokenId: BigInt(tokenId), grantee: grantee as Address, nonce: BigInt(permissions.nonce), deadline: deadline() };
  const signature = await signer.signTypedData({ domain: permissions.domain, types: REVOKE_TYPES, primaryType: 'Revoke', message });
  return api<{ txHash: string }>('/v1/relay/revocations', {
    body: { asset: vehicleContract, tokenId, grantee, nonce: permissions.nonce, deadline: message.deadline.toString(), signature },
  });
}
