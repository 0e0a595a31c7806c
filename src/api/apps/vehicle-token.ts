// Vehicle JWTs: what POST /v1/tokens/exchange returns, shaped like DIMO's (contract_address, token_id,
// privilege_ids, and the newer asset DID and permissions), valid for minutes, ES256-signed with the
// app-access key published at /keys and /.well-known/jwks.json. A token proves what was granted at
// exchange; every read still re-checks license and consent (revocation bites at once).
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { getAddress } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { formatAssetDid } from '../../consent/asset-did.ts';
import type { PrivilegeId } from '../../consent/privileges.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getAppAccess, type AppAccessRuntime } from './app-access-runtime.ts';
import { invalid } from './developer-token.ts';
import { PERMISSION_NAMES } from './permissions.ts';

export interface VehicleTokenClaims {
  /** did:erc721:<chainId>:<VehicleId>:<tokenId> */
  asset: string;
  vehicleId: bigint;
  /** Lowercase address the owner granted (the developer token's client id). */
  grantee: string;
  /** Decimal license id the token was issued under. */
  licenseId: string;
  /** Privilege ids (1–8), ascending. */
  privileges: number[];
  /** Unix seconds. */
  exp: number;
}

const USE = 'vehicle';
export const DEFAULT_AUDIENCE = ['dimo.zone'];

export async function signVehicleToken(
  rt: AppAccessRuntime,
  t: { vehicleId: bigint; grantee: string; licenseId: string; privileges: readonly PrivilegeId[]; audience?: string[] },
  now: number,
): Promise<{ token: string; claims: VehicleTokenClaims }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + rt.options.vehicleTokenTtlSec;
  const contract = getAddress(rt.vehicleContract);
  const asset = formatAssetDid({ chainId: rt.chainId, contract, tokenId: t.vehicleId });
  const privileges = [...t.privileges].sort((a, b) => a - b);
  const token = await new SignJWT({
    contract_address: contract,
    token_id: t.vehicleId.toString(),
    privilege_ids: privileges,
    asset,
    permissions: privileges.map((p) => PERMISSION_NAMES[p]),
    ethereum_address: getAddress(t.grantee),
    license_id: t.licenseId,
    odm_use: USE,
  })
    .setProtectedHeader({ alg: rt.key.alg, kid: rt.key.kid, typ: 'JWT' })
    .setIssuer(rt.issuer)
    .setSubject(`${contract}/${t.vehicleId}`)
    .setAudience(t.audience && t.audience.length > 0 ? t.audience : DEFAULT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(rt.key.privateKey);
  return { token, claims: { asset, vehicleId: t.vehicleId, grantee: t.grantee.toLowerCase(), licenseId: t.licenseId, privileges, exp } };
}

/**
 * The claims of a current vehicle token this node signed. Throws ODM_ERR_AUTH_REQUIRED (401) for an empty
 * token and ODM_ERR_TOKEN_INVALID (401, details.reason `expired` or `invalid`) for anything else. It does
 * not re-check the grant: callers do that per read (authorizeDataAccess).
 */
export async function verifyVehicleToken(services: NodeServices, token: string): Promise<VehicleTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'send a vehicle token (POST /v1/tokens/exchange)');
  const rt = getAppAccess(services);
  const now = services.clock.now();
  const cached = rt.tokens.get<VehicleTokenClaims>(`v:${token}`, now);
  if (cached) return cached;
  let payload;
  try {
    ({ payload } = await jwtVerify(token, rt.key.publicKey, { algorithms: [rt.key.alg], issuer: rt.issuer, currentDate: new Date(now), requiredClaims: ['sub', 'exp', 'iat'] }));
  } catch (cause) {
    throw invalid(cause);
  }
  const p = payload as Record<string, unknown>;
  const privileges = p.privilege_ids;
  const wellFormed =
    p.odm_use === USE &&
    typeof p.token_id === 'string' && /^\d{1,78}$/.test(p.token_id) &&
    typeof p.license_id === 'string' && /^\d{1,78}$/.test(p.license_id) &&
    typeof p.asset === 'string' &&
    typeof p.ethereum_address === 'string' && /^0x[0-9a-fA-F]{40}$/.test(p.ethereum_address) &&
    Array.isArray(privileges) && privileges.every((x) => Number.isInteger(x) && x >= 1 && x <= 8);
  if (!wellFormed) throw new OdmError('ODM_ERR_TOKEN_INVALID', 'not a vehicle token of this node', { details: { reason: 'invalid' } });
  const claims: VehicleTokenClaims = {
    asset: p.asset as string,
    vehicleId: BigInt(p.token_id as string),
    grantee: (p.ethereum_address as string).toLowerCase(),
    licenseId: p.license_id as string,
    privileges: [...(privileges as number[])].sort((a, b) => a - b),
    exp: payload.exp ?? 0,
  };
  rt.tokens.set(`v:${token}`, claims, claims.exp * 1000);
  return claims;
}
