// Developer JWTs: what a license signer gets from POST /auth/web3/submit_challenge, shaped like DIMO's
// auth server's (the data SDK reads `ethereum_address`), ES256-signed with the app-access key. The
// client id is the address that acts for the license (the grantee owners consent to).
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { getAddress } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { getLicensingMirror } from '../../licensing/licensing-services.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getAppAccess, type AppAccessRuntime } from './app-access-runtime.ts';

export interface DeveloperTokenClaims {
  /** Decimal license id. */
  licenseId: string;
  /** Lowercase address of the signer (API key) that answered the challenge. */
  signer: string;
  /** Lowercase client id: the address acting for the license. */
  clientId: string;
}

const USE = 'developer';

/** Tokens for `claims`, valid for the configured lifetime but never past `notAfterMs`. */
export async function signDeveloperTokens(rt: AppAccessRuntime, claims: DeveloperTokenClaims, now: number, notAfterMs = Infinity): Promise<{ accessToken: string; idToken: string; expiresIn: number }> {
  const iat = Math.floor(now / 1000);
  const expiresIn = Math.max(1, Math.min(rt.options.developerTokenTtlSec, Math.floor(notAfterMs / 1000) - iat));
  const client = getAddress(claims.clientId);
  const sign = (use: string) =>
    new SignJWT({ ethereum_address: client, provider_id: 'web3', license_id: claims.licenseId, signer: claims.signer, odm_use: use })
      .setProtectedHeader({ alg: rt.key.alg, kid: rt.key.kid, typ: 'JWT' })
      .setIssuer(rt.issuer)
      .setSubject(client)
      .setAudience(client)
      .setIssuedAt(iat)
      .setExpirationTime(iat + expiresIn)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(rt.key.privateKey);
  const [accessToken, idToken] = await Promise.all([sign(USE), sign('id')]);
  return { accessToken, idToken, expiresIn };
}

/**
 * The claims of a current developer token this node signed, whose API key is still enabled on the
 * license (disabling a key ends its tokens at once). Throws ODM_ERR_AUTH_REQUIRED (401) for an empty
 * token and ODM_ERR_TOKEN_INVALID (401, details.reason `expired`, `key_disabled` or `invalid`) otherwise.
 */
export async function verifyDeveloperToken(services: NodeServices, token: string): Promise<DeveloperTokenClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'send a developer token (POST /auth/web3/submit_challenge)');
  const rt = getAppAccess(services);
  const now = services.clock.now();
  const cached = rt.tokens.get<DeveloperTokenClaims>(`d:${token}`, now);
  if (cached) return keyStillEnabled(services, cached, now);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, rt.key.publicKey, { algorithms: [rt.key.alg], issuer: rt.issuer, currentDate: new Date(now), requiredClaims: ['sub', 'exp', 'iat'] }));
  } catch (cause) {
    throw invalid(cause);
  }
  const p = payload as Record<string, unknown>;
  if (p.odm_use !== USE || typeof p.license_id !== 'string' || !/^\d{1,78}$/.test(p.license_id) || !isAddress(p.signer) || !isAddress(p.ethereum_address)) {
    throw new OdmError('ODM_ERR_TOKEN_INVALID', 'not a developer token of this node', { details: { reason: 'invalid' } });
  }
  const claims: DeveloperTokenClaims = { licenseId: p.license_id, signer: (p.signer as string).toLowerCase(), clientId: (p.ethereum_address as string).toLowerCase() };
  rt.tokens.set(`d:${token}`, claims, (payload.exp ?? 0) * 1000);
  return keyStillEnabled(services, claims, now);
}

function keyStillEnabled(services: NodeServices, claims: DeveloperTokenClaims, now: number): DeveloperTokenClaims {
  const expiry = getLicensingMirror(services).signers.expiryOf(BigInt(claims.licenseId), claims.signer);
  if (expiry === undefined || expiry * 1000 <= now) {
    throw new OdmError('ODM_ERR_TOKEN_INVALID', 'the API key that signed in for this token is no longer enabled on the license', { details: { reason: 'key_disabled' } });
  }
  return claims;
}

function isAddress(v: unknown): v is string {
  return typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);
}

export function invalid(cause: unknown): OdmError {
  const expired = (cause as { code?: string }).code === 'ERR_JWT_EXPIRED';
  return new OdmError('ODM_ERR_TOKEN_INVALID', expired ? 'the token has expired; get a new one' : 'the token is not valid here', { cause, details: { reason: expired ? 'expired' : 'invalid' } });
}
