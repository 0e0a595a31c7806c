// OAuth state for both OEMs: authorization codes, grants (account + client + scopes), access and
// refresh tokens with each OEM's lifetimes and rotation rules, all timed on the emulator clock.
//   Tesla:    access 8 h; refresh single-use (reuse → login_required), 3 months.
//   Smartcar: access 2 h; refresh 60 days, still accepted for 60 s after its first use.
import { createHmac } from 'node:crypto';
import { createRng, randomHex, randomUuid, type Rng } from '../core/rng.ts';
import type { Oem } from '../fleet/models.ts';

export interface TokenPolicy {
  accessTtlMs: number;
  refreshTtlMs: number;
  /** How long a used refresh token still works (0 = single use). */
  refreshGraceMs: number;
  codeTtlMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const POLICIES: Record<Oem, TokenPolicy> = {
  tesla: { accessTtlMs: 8 * HOUR, refreshTtlMs: 90 * DAY, refreshGraceMs: 0, codeTtlMs: 10 * 60_000 },
  smartcar: { accessTtlMs: 2 * HOUR, refreshTtlMs: 60 * DAY, refreshGraceMs: 60_000, codeTtlMs: 10 * 60_000 },
};

export interface Grant {
  id: string;
  oem: Oem;
  accountId: string;
  /** Tesla's user id or Smartcar's user UUID, for tokens' `sub`. */
  userId: string;
  region: string;
  clientId: string;
  scopes: string[];
  /** Smartcar: the vehicles authorised at Connect. Tesla: undefined (all of the account's vehicles). */
  vehicleKeys?: string[];
  createdAt: number;
  revokedAt?: number;
}

export interface AccessToken {
  token: string;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt?: number;
}

export interface RefreshToken {
  token: string;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  firstUsedAt?: number;
  revokedAt?: number;
}

interface AuthCode {
  code: string;
  oem: Oem;
  draft: Omit<Grant, 'id' | 'createdAt'>;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenSet {
  access: AccessToken;
  refresh?: RefreshToken;
  /** Tesla only, when `openid` was granted. */
  idToken?: string;
  grant: Grant;
}

export type RedeemError = 'invalid_code' | 'expired_code' | 'used_code' | 'client_mismatch' | 'redirect_mismatch';
export type RefreshError = 'unknown' | 'used' | 'expired' | 'revoked' | 'client_mismatch';
export type AuthError = 'missing' | 'invalid' | 'expired' | 'revoked';

export class TokenStore {
  readonly #rng: Rng;
  readonly #jwtKey: string;
  #grants = new Map<string, Grant>();
  #access = new Map<string, AccessToken>();
  #refresh = new Map<string, RefreshToken>();
  #codes = new Map<string, AuthCode>();
  #seq = 0;

  constructor(seed: string) {
    this.#rng = createRng(seed, 'tokens');
    this.#jwtKey = randomHex(createRng(seed, 'jwt-key'), 32);
  }

  issueCode(oem: Oem, draft: Omit<Grant, 'id' | 'createdAt'>, redirectUri: string, now: number): string {
    const code = oem === 'tesla' ? `${draft.region.toUpperCase()}_${randomHex(this.#rng, 24)}` : randomUuid(this.#rng);
    this.#codes.set(code, { code, oem, draft, redirectUri, expiresAt: now + POLICIES[oem].codeTtlMs, used: false });
    return code;
  }

  redeemCode(oem: Oem, code: string, clientId: string, redirectUri: string | undefined, now: number): TokenSet | RedeemError {
    const entry = this.#codes.get(code);
    if (!entry || entry.oem !== oem) return 'invalid_code';
    if (entry.used) return 'used_code';
    if (now >= entry.expiresAt) return 'expired_code';
    if (entry.draft.clientId !== clientId) return 'client_mismatch';
    if (redirectUri !== undefined && redirectUri !== entry.redirectUri) return 'redirect_mismatch';
    entry.used = true;
    const grant: Grant = { ...entry.draft, id: `grant-${++this.#seq}`, createdAt: now };
    this.#grants.set(grant.id, grant);
    return this.#issue(grant, now);
  }

  /** Skips the browser: a grant and tokens for an account, as if Connect/login had been completed. */
  issueDirect(draft: Omit<Grant, 'id' | 'createdAt'>, now: number): TokenSet {
    const grant: Grant = { ...draft, id: `grant-${++this.#seq}`, createdAt: now };
    this.#grants.set(grant.id, grant);
    return this.#issue(grant, now);
  }

  refresh(oem: Oem, token: string, clientId: string | undefined, now: number): TokenSet | RefreshError {
    const entry = this.#refresh.get(token);
    const grant = entry && this.#grants.get(entry.grantId);
    if (!entry || !grant || grant.oem !== oem) return 'unknown';
    if (entry.revokedAt !== undefined || grant.revokedAt !== undefined) return 'revoked';
    if (clientId !== undefined && clientId !== grant.clientId) return 'client_mismatch';
    if (now >= entry.expiresAt) return 'expired';
    if (entry.firstUsedAt !== undefined && now - entry.firstUsedAt >= POLICIES[oem].refreshGraceMs) return 'used';
    entry.firstUsedAt ??= now;
    return this.#issue(grant, now);
  }

  authenticate(oem: Oem, header: string | undefined, now: number): { grant: Grant; access: AccessToken } | AuthError {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) return 'missing';
    const access = this.#access.get(match[1]!);
    const grant = access && this.#grants.get(access.grantId);
    if (!access || !grant || grant.oem !== oem) return 'invalid';
    if (access.revokedAt !== undefined || grant.revokedAt !== undefined) return 'revoked';
    if (now >= access.expiresAt) return 'expired';
    return { grant, access };
  }

  grant(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  /** The grant behind an access or refresh token. */
  grantOfToken(token: string): Grant | undefined {
    const id = this.#access.get(token)?.grantId ?? this.#refresh.get(token)?.grantId;
    return id ? this.#grants.get(id) : undefined;
  }

  /** Revokes one token only, or its whole grant (every access and refresh token it produced). */
  revokeToken(token: string, whole: boolean, now: number): boolean {
    const single = this.#access.get(token) ?? this.#refresh.get(token);
    if (!single) return false;
    if (!whole) {
      single.revokedAt ??= now;
      return true;
    }
    const grant = this.#grants.get(single.grantId);
    if (grant) grant.revokedAt ??= now;
    return true;
  }

  revokeAccount(accountId: string, now: number): number {
    let n = 0;
    for (const g of this.#grants.values()) {
      if (g.accountId === accountId && g.revokedAt === undefined) {
        g.revokedAt = now;
        n++;
      }
    }
    return n;
  }

  grants(filter: { accountId?: string; oem?: Oem } = {}): Grant[] {
    return [...this.#grants.values()].filter((g) => (!filter.accountId || g.accountId === filter.accountId) && (!filter.oem || g.oem === filter.oem));
  }

  tokensOf(grantId: string): { access: AccessToken[]; refresh: RefreshToken[] } {
    return {
      access: [...this.#access.values()].filter((t) => t.grantId === grantId),
      refresh: [...this.#refresh.values()].filter((t) => t.grantId === grantId),
    };
  }

  #issue(grant: Grant, now: number): TokenSet {
    const policy = POLICIES[grant.oem];
    const accessToken = grant.oem === 'tesla' ? this.#teslaJwt(grant, now, now + policy.accessTtlMs) : randomUuid(this.#rng);
    const access: AccessToken = { token: accessToken, grantId: grant.id, issuedAt: now, expiresAt: now + policy.accessTtlMs };
    this.#access.set(access.token, access);
    const set: TokenSet = { access, grant };
    // Tesla returns a refresh token only with offline_access; Smartcar always does.
    if (grant.oem === 'smartcar' || grant.scopes.includes('offline_access')) {
      const token = grant.oem === 'tesla' ? `${grant.region.toUpperCase()}_${randomHex(this.#rng, 32)}` : randomUuid(this.#rng);
      const refresh: RefreshToken = { token, grantId: grant.id, issuedAt: now, expiresAt: now + policy.refreshTtlMs };
      this.#refresh.set(token, refresh);
      set.refresh = refresh;
    }
    if (grant.oem === 'tesla' && grant.scopes.includes('openid')) set.idToken = this.#teslaJwt(grant, now, now + policy.accessTtlMs, true);
    return set;
  }

  /** Tesla's tokens are JWTs; apps read `scp` and `exp` from them. Signed with an emulator-only key. */
  #teslaJwt(grant: Grant, now: number, exp: number, idToken = false): string {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'opendimo-emulator' });
    const claims = idToken
      ? { iss: 'https://auth.tesla.com/oauth2/v3', aud: grant.clientId, sub: grant.userId, iat: Math.floor(now / 1000), exp: Math.floor(exp / 1000), nonce: randomHex(this.#rng, 8) }
      : {
          iss: 'https://auth.tesla.com/oauth2/v3/nts',
          azp: grant.clientId,
          sub: grant.userId,
          aud: ['https://fleet-api.prd.na.vn.cloud.tesla.com', 'https://fleet-api.prd.eu.vn.cloud.tesla.com', 'https://auth.tesla.com/oauth2/v3/userinfo'],
          scp: grant.scopes,
          amr: ['pwd', 'mfa', 'otp'],
          exp: Math.floor(exp / 1000),
          iat: Math.floor(now / 1000),
          ou_code: grant.region.toUpperCase(),
          locale: grant.region === 'eu' ? 'de-DE' : 'en-US',
          account_type: 'person',
          open_source: false,
          jti: randomUuid(this.#rng),
        };
    const body = `${header}.${b64(claims)}`;
    return `${body}.${createHmac('sha256', this.#jwtKey).update(body).digest('base64url')}`;
  }
}
