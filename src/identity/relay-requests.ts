// The bodies the relay endpoints accept, validated at the boundary, and the contract call each becomes.
// uint256 values travel as decimal strings (or 0x hex; small ones may be JSON numbers), because JSON
// numbers cannot hold them.
import { getAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';
import { OdmError } from '../core/errors.ts';
import type { RelayCall } from './relayer.ts';

const MAX_UINT256 = (1n << 256n) - 1n;

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
  .transform((a) => getAddress(a.toLowerCase()) as Address);
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits').transform((v) => v.toLowerCase() as Hex);
const signature = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})+$/, 'must be 0x-prefixed hex')
  .max(2 + 2 * 4096, 'is too long')
  .transform((v) => v as Hex);
const uint = z
  .union([z.string().regex(/^(0|[1-9][0-9]{0,77}|0x[0-9a-fA-F]{1,64})$/, 'must be a decimal or 0x-hex unsigned integer'), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform((v, ctx) => {
    const n = BigInt(v);
    if (n > MAX_UINT256) {
      ctx.addIssue({ code: 'custom', message: 'must fit in 256 bits' });
      return z.NEVER;
    }
    return n;
  });

const signed = { nonce: uint, deadline: uint, signature };

export const mintVehicleBody = z.object({
  owner: address,
  attributes: z.object({
    make: z.string().min(1).max(64),
    model: z.string().min(1).max(64),
    year: z.number().int().min(0).max(65_535),
    /** A salted commitment to the VIN; never the VIN. */
    vinHash: bytes32,
  }),
  ...signed,
});

export const grantBody = z.object({
  /** Defaults to the node's VehicleId contract. */
  asset: address.optional(),
  tokenId: uint,
  grantee: address,
  permissions: uint,
  expiration: uint,
  source: bytes32,
  ...signed,
});

export const revokeBody = z.object({ asset: address.optional(), tokenId: uint, grantee: address, ...signed });

export const accountGrantBody = z.object({ grantor: address, grantee: address, permissions: uint, expiration: uint, source: bytes32, ...signed });

export const accountRevokeBody = z.object({ grantor: address, grantee: address, ...signed });

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new OdmError('ODM_ERR_VALIDATION', 'the request body is not a valid signed action', {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

export function mintVehicleCall(b: z.infer<typeof mintVehicleBody>): RelayCall {
  return { contract: 'VehicleId', functionName: 'mintBySig', args: [b.owner, b.attributes, b.nonce, b.deadline, b.signature], action: 'mint the vehicle' };
}

export function grantCall(b: z.infer<typeof grantBody>, vehicleId: Address): RelayCall {
  const g = { asset: b.asset ?? vehicleId, tokenId: b.tokenId, grantee: b.grantee, permissions: b.permissions, expiration: b.expiration, source: b.source };
  return { contract: 'Permissions', functionName: 'grantBySig', args: [g, b.nonce, b.deadline, b.signature], action: 'grant permissions' };
}

export function revokeCall(b: z.infer<typeof revokeBody>, vehicleId: Address): RelayCall {
  return { contract: 'Permissions', functionName: 'revokeBySig', args: [b.asset ?? vehicleId, b.tokenId, b.grantee, b.nonce, b.deadline, b.signature], action: 'revoke permissions' };
}

export function accountGrantCall(b: z.infer<typeof accountGrantBody>): RelayCall {
  const g = { grantee: b.grantee, permissions: b.permissions, expiration: b.expiration, source: b.source };
  return { contract: 'Permissions', functionName: 'grantAccountBySig', args: [b.grantor, g, b.nonce, b.deadline, b.signature], action: 'grant account permissions' };
}

export function accountRevokeCall(b: z.infer<typeof accountRevokeBody>): RelayCall {
  return { contract: 'Permissions', functionName: 'revokeAccountBySig', args: [b.grantor, b.grantee, b.nonce, b.deadline, b.signature], action: 'revoke account permissions' };
}
