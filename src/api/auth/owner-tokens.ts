// Owner session tokens: ES256 JWTs, one hour, `sub` = the owner's lowercase address, `aud` =
// opendimo-owner, `amr` = how they signed in (Sign-In with Ethereum today; a password with an embedded
// wallet later). Times come from the node's clock so tests can move them.
import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { OdmError } from '../../core/errors.ts';
import type { OwnerSigningKey } from './owner-signing-key.ts';

export const OWNER_TOKEN_AUDIENCE = 'opendimo-owner';
export const OWNER_TOKEN_ISSUER = 'opendimo';
export const OWNER_TOKEN_TTL_MS = 3_600_000;

/** How the owner proved control of the address. */
export type OwnerAuthMethod = 'siwe' | 'password';

export interface OwnerSession {
  /** Lowercase 0x address. */
  address: string;
  method: OwnerAuthMethod;
  /** Epoch ms. */
  expiresAt: number;
}

export async function signOwnerToken(key: OwnerSigningKey, address: string, method: OwnerAuthMethod, now: number): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + OWNER_TOKEN_TTL_MS / 1000;
  const token = await new SignJWT({ amr: [method] })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(OWNER_TOKEN_ISSUER)
    .setAudience(OWNER_TOKEN_AUDIENCE)
    .setSubject(address.toLowerCase())
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(randomBytes(12).toString('base64url'))
    .sign(key.privateKey);
  return { token, expiresAt: exp * 1000 };
}

/** Throws ODM_ERR_AUTH_REQUIRED for anything but a current token this node signed for an owner. */
export async function verifyOwnerToken(key: OwnerSigningKey, token: string, now: number): Promise<OwnerSession> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      audience: OWNER_TOKEN_AUDIENCE,
      issuer: OWNER_TOKEN_ISSUER,
      currentDate: new Date(now),
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (cause) {
    const expired = (cause as { code?: string }).code === 'ERR_JWT_EXPIRED';
    throw new OdmError('ODM_ERR_AUTH_REQUIRED', expired ? 'the owner session has expired; sign in again' : 'the owner token is not valid; sign in again', {
      cause, details: { reason: expired ? 'expired' : 'invalid' },
    });
  }
  const sub = payload.sub ?? '';
  if (!/^0x[0-9a-f]{40}$/.test(sub)) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'the owner token names no address', { details: { reason: 'invalid' } });
  const amr = Array.isArray(payload.amr) ? payload.amr[0] : undefined;
  return { address: sub, method: amr === 'password' ? 'password' : 'siwe', expiresAt: (payload.exp ?? 0) * 1000 };
}
