// POST /v1/tokens/exchange: a developer token buys a short-lived vehicle token for privileges the owner
// has granted to the developer's client id, under a license the gate lets through. Accepts DIMO's two
// request forms: {nftContractAddress, tokenId, privileges: [ids]} and {asset: DID, permissions: [names]}.
// Unknown privileges are 400 ODM_ERR_PRIVILEGE_UNKNOWN; a missing grant is 403 ODM_ERR_CONSENT_MISSING
// with details.missing; the license gate's refusals (ODM_ERR_LICENSE_*) pass through as they are.
import { OdmError } from '../../core/errors.ts';
import { parseAssetDid } from '../../consent/asset-did.ts';
import type { PrivilegeId } from '../../consent/privileges.ts';
import { getIdentityLookup } from '../../identity/identity-lookup.ts';
import { authorizeDataAccess } from '../../licensing/licensing-services.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { AppAccessRuntime } from './app-access-runtime.ts';
import type { DeveloperTokenClaims } from './developer-token.ts';
import { parsePrivilegeIds, permissionToPrivilege } from './permissions.ts';
import { signVehicleToken } from './vehicle-token.ts';

const MAX_UINT256 = (1n << 256n) - 1n;

function tokenIdOf(value: unknown): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : typeof value === 'string' && /^\d{1,78}$/.test(value) ? value : undefined;
  if (text === undefined || BigInt(text) > MAX_UINT256) throw new OdmError('ODM_ERR_VALIDATION', 'tokenId must be a non-negative integer', { details: { field: 'tokenId' } });
  return BigInt(text);
}

function audienceOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 10 || !value.every((a) => typeof a === 'string' && a.length > 0 && a.length <= 200)) {
    throw new OdmError('ODM_ERR_VALIDATION', 'audience must be up to 10 non-empty strings', { details: { field: 'audience' } });
  }
  return value as string[];
}

export interface ExchangeTarget {
  vehicleId: bigint;
  privileges: PrivilegeId[];
  audience: string[] | undefined;
}

/** The vehicle and privileges a request asks for, validated against this node's chain. */
export function parseExchangeRequest(rt: AppAccessRuntime, body: unknown): ExchangeTarget {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OdmError('ODM_ERR_VALIDATION', 'the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const audience = audienceOf(b.audience);
  let vehicleId: bigint;
  if (b.asset !== undefined) {
    const asset = parseAssetDid(b.asset as string);
    if (asset.chainId !== rt.chainId || asset.contract.toLowerCase() !== rt.vehicleContract) {
      throw new OdmError('ODM_ERR_ASSET_NOT_SUPPORTED', `this node issues tokens for vehicles of chain ${rt.chainId}, contract ${rt.vehicleContract}`, { details: { asset: String(b.asset).slice(0, 200) } });
    }
    vehicleId = asset.tokenId;
  } else {
    const contract = b.nftContractAddress;
    if (typeof contract !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(contract)) {
      throw new OdmError('ODM_ERR_VALIDATION', 'nftContractAddress (a 0x address) or asset (a vehicle DID) is required', { details: { field: 'nftContractAddress' } });
    }
    if (contract.toLowerCase() !== rt.vehicleContract) {
      throw new OdmError('ODM_ERR_ASSET_NOT_SUPPORTED', `this node issues tokens for vehicles of ${rt.vehicleContract}`, { details: { nftContractAddress: contract } });
    }
    vehicleId = tokenIdOf(b.tokenId);
  }
  let privileges: PrivilegeId[];
  if (b.permissions !== undefined && b.permissions !== null) {
    if (!Array.isArray(b.permissions) || b.permissions.length === 0 || b.permissions.length > 64) {
      throw new OdmError('ODM_ERR_VALIDATION', 'permissions must be a non-empty array of permission names (e.g. privilege:GetNonLocationHistory)', { details: { field: 'permissions' } });
    }
    privileges = [...new Set(b.permissions.map(permissionToPrivilege))].sort((x, y) => x - y);
  } else {
    privileges = parsePrivilegeIds(b.privileges);
  }
  return { vehicleId, privileges, audience };
}

export async function exchangeToken(services: NodeServices, rt: AppAccessRuntime, dev: DeveloperTokenClaims, body: unknown): Promise<{ token: string }> {
  const target = parseExchangeRequest(rt, body);
  if (!getIdentityLookup(services).vehicle(target.vehicleId)) {
    throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', `vehicle ${target.vehicleId} is not known to this node`, { details: { tokenId: target.vehicleId.toString() } });
  }
  authorizeDataAccess(services, { licenseId: dev.licenseId, grantee: dev.clientId, vehicleId: target.vehicleId, privileges: target.privileges });
  const { token } = await signVehicleToken(rt, { vehicleId: target.vehicleId, grantee: dev.clientId, licenseId: dev.licenseId, privileges: target.privileges, ...(target.audience ? { audience: target.audience } : {}) }, services.clock.now());
  return { token };
}
