// OEM tokens per account. An access token is refreshed once 75 % of its lifetime has passed; refreshes
// are single-flight per account (every vehicle of the account waits on the same one); the rotated
// refresh token is written to the database before the new access token is handed to anyone (Tesla's
// refresh tokens work once: losing the new one would lose the account). An unexpected 401 triggers at
// most one refresh, unless another caller already replaced the token that failed. A dead refresh token
// puts the account in `reauth_required` and tells the runtime (which stops polling and tells the owner).
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { OemAuthApi, TokenGrant } from '../oem-types.ts';
import type { ConnectorStore, Oem } from '../store/connector-store.ts';
import type { ConnectorSealing, StoredTokens } from './sealing.ts';

export const REFRESH_AT = 0.75;

interface Entry {
  accountId: string;
  oem: Oem;
  key: KeyObject;
  version: number;
  tokens: StoredTokens;
  /** Rotated tokens the database has not taken yet: never handed out until written. */
  unsaved?: { version: number; tokens: StoredTokens; sealed: Buffer };
}

export interface TokenManagerOptions {
  store: ConnectorStore;
  sealing: ConnectorSealing;
  clock: Clock;
  logger: Logger;
  apis: Partial<Record<Oem, OemAuthApi>>;
  /** The refresh token is dead: the account is already marked; stop its work and tell the owner. */
  onDead(accountId: string, reason: string): Promise<void> | void;
  onRefreshed?(accountId: string, oem: Oem): void;
}

export class TokenManager {
  readonly #o: TokenManagerOptions;
  readonly #cache = new Map<string, Entry>();
  readonly #flights = new Map<string, Promise<Entry>>();
  readonly #loads = new Map<string, Promise<Entry>>();

  constructor(options: TokenManagerOptions) {
    this.#o = options;
  }

  /** Seals and stores the first tokens of a new account row's data key (onboarding). */
  sealInitial(accountId: string, grant: TokenGrant, now: number): { tokenKey: Buffer; tokens: Buffer; issuedAt: number; expiresAt: number; version: number } {
    const { key, wrapped } = this.#o.sealing.newAccountKey(accountId);
    const tokens: StoredTokens = { accessToken: grant.accessToken, refreshToken: grant.refreshToken, issuedAt: now, expiresAt: now + grant.expiresInS * 1000 };
    return { tokenKey: wrapped, tokens: this.#o.sealing.sealTokens(key, accountId, 1, tokens), issuedAt: tokens.issuedAt, expiresAt: tokens.expiresAt, version: 1 };
  }

  /** Replaces an existing account's tokens after the owner logged in again (reauthorisation). */
  async replaceAfterLogin(accountId: string, grant: TokenGrant, scopes: string): Promise<void> {
    const row = await this.#o.store.getAccount(accountId);
    if (!row) throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', 'no such OEM account');
    const now = this.#o.clock.now();
    let key: KeyObject;
    let tokenKey: Buffer | undefined;
    if (row.token_key) key = this.#o.sealing.unwrapAccountKey(accountId, row.token_key);
    else {
      const fresh = this.#o.sealing.newAccountKey(accountId);
      key = fresh.key;
      tokenKey = fresh.wrapped;
    }
    const tokens: StoredTokens = { accessToken: grant.accessToken, refreshToken: grant.refreshToken, issuedAt: now, expiresAt: now + grant.expiresInS * 1000 };
    const version = row.token_version + 1;
    const ok = await this.#o.store.replaceTokens(accountId, row.token_version, {
      tokens: this.#o.sealing.sealTokens(key, accountId, version, tokens), version, issuedAt: tokens.issuedAt, expiresAt: tokens.expiresAt, now,
      scopes, state: 'active', ...(tokenKey ? { tokenKey } : {}),
    });
    if (!ok) throw new OdmError('ODM_ERR_CONNECTION_STATE', 'the account changed while it was being reauthorised; try again');
    this.#cache.set(accountId, { accountId, oem: row.oem, key, version, tokens });
  }

  /** A valid access token, refreshed first when 75 % of its lifetime has passed. */
  async access(accountId: string): Promise<string> {
    let e = this.#cache.get(accountId) ?? (await this.#load(accountId));
    if (e.unsaved) e = await this.#refresh(accountId, e.version);
    if (this.#o.clock.now() >= refreshDue(e.tokens)) e = await this.#refresh(accountId, e.version);
    return e.tokens.accessToken;
  }

  /** After a 401 with `failed`: a token newer than the one that failed (refreshing once if needed). */
  async afterUnauthorized(accountId: string, failed: string): Promise<string> {
    const e = this.#cache.get(accountId) ?? (await this.#load(accountId));
    if (e.tokens.accessToken !== failed && !e.unsaved) return e.tokens.accessToken;
    return (await this.#refresh(accountId, e.version)).tokens.accessToken;
  }

  /** When the account's token should next be refreshed (for a proactive timer), if loaded. */
  refreshDueAt(accountId: string): number | undefined {
    const e = this.#cache.get(accountId);
    return e ? refreshDue(e.tokens) : undefined;
  }

  /** Refreshes now if due (a proactive timer calls this for accounts whose vehicles are quiet). */
  async refreshIfDue(accountId: string): Promise<number> {
    const e = this.#cache.get(accountId) ?? (await this.#load(accountId));
    if (this.#o.clock.now() < refreshDue(e.tokens)) return refreshDue(e.tokens);
    return refreshDue((await this.#refresh(accountId, e.version)).tokens);
  }

  forget(accountId: string): void {
    this.#cache.delete(accountId);
  }

  /** The current tokens (disconnect revokes with them); never logged. */
  async current(accountId: string): Promise<StoredTokens | undefined> {
    try {
      return (this.#cache.get(accountId) ?? (await this.#load(accountId))).tokens;
    } catch {
      return undefined;
    }
  }

  #load(accountId: string): Promise<Entry> {
    let p = this.#loads.get(accountId);
    if (!p) {
      p = (async () => {
        const row = await this.#o.store.getAccount(accountId);
        if (!row) throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', 'no such OEM account');
        if (row.state === 'reauth_required') throw reauth(row.oem);
        if (row.state !== 'active' || !row.token_key || !row.tokens) throw new OdmError('ODM_ERR_CONNECTION_STATE', 'the OEM account is disconnected');
        const key = this.#o.sealing.unwrapAccountKey(accountId, row.token_key);
        const entry: Entry = { accountId, oem: row.oem, key, version: row.token_version, tokens: this.#o.sealing.openTokens(key, accountId, row.token_version, row.tokens) };
        this.#cache.set(accountId, entry);
        return entry;
      })().finally(() => this.#loads.delete(accountId));
      this.#loads.set(accountId, p);
    }
    return p;
  }

  /** One refresh per account at a time; a caller that saw version v joins a refresh past v. */
  #refresh(accountId: string, seenVersion: number): Promise<Entry> {
    const cached = this.#cache.get(accountId);
    if (cached && cached.version > seenVersion) return Promise.resolve(cached);
    let flight = this.#flights.get(accountId);
    if (!flight) {
      flight = this.#doRefresh(accountId).finally(() => this.#flights.delete(accountId));
      this.#flights.set(accountId, flight);
    }
    return flight;
  }

  async #doRefresh(accountId: string): Promise<Entry> {
    const e = this.#cache.get(accountId) ?? (await this.#load(accountId));
    // Tokens rotated earlier but not yet written: write them now, before anything else.
    if (e.unsaved) return this.#persist(e, e.unsaved.version, e.unsaved.tokens, e.unsaved.sealed);
    const api = this.#o.apis[e.oem];
    if (!api) throw new OdmError('ODM_ERR_OEM_NOT_CONFIGURED', `${e.oem} is not configured on this node`);
    if (!e.tokens.refreshToken) return this.#dead(e, 'no_refresh_token');
    const outcome = await api.refresh(e.tokens.refreshToken);
    if (outcome.kind === 'dead') return this.#dead(e, outcome.reason);
    const now = this.#o.clock.now();
    const tokens: StoredTokens = {
      accessToken: outcome.grant.accessToken,
      // Some OEMs rotate the refresh token, some keep it.
      refreshToken: outcome.grant.refreshToken ?? e.tokens.refreshToken,
      issuedAt: now,
      expiresAt: now + outcome.grant.expiresInS * 1000,
    };
    const version = e.version + 1;
    const sealed = this.#o.sealing.sealTokens(e.key, accountId, version, tokens);
    this.#o.onRefreshed?.(accountId, e.oem);
    return this.#persist(e, version, tokens, sealed);
  }

  /**
   * Durable before use: the old refresh token is already spent at the OEM. Until the write succeeds the
   * new tokens stay in memory, unused; each later access tries the write again first.
   */
  async #persist(e: Entry, version: number, tokens: StoredTokens, sealed: Buffer): Promise<Entry> {
    const now = this.#o.clock.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.#o.store.replaceTokens(e.accountId, e.version, { tokens: sealed, version, issuedAt: tokens.issuedAt, expiresAt: tokens.expiresAt, now });
        if (!written) {
          this.#cache.delete(e.accountId);
          throw new OdmError('ODM_ERR_CONNECTION_STATE', 'the OEM account was changed or disconnected during a token refresh');
        }
        break;
      } catch (err) {
        if (err instanceof OdmError && err.code === 'ODM_ERR_CONNECTION_STATE') throw err;
        if (attempt >= 3) {
          this.#cache.set(e.accountId, { ...e, unsaved: { version, tokens, sealed } });
          this.#o.logger.error({ err, accountId: e.accountId, oem: e.oem }, 'could not store rotated OEM tokens; they stay unused until stored');
          throw new OdmError('ODM_ERR_DB_UNAVAILABLE', 'rotated OEM tokens could not be stored yet', { cause: err, retryable: true });
        }
      }
    }
    const next: Entry = { accountId: e.accountId, oem: e.oem, key: e.key, version, tokens };
    this.#cache.set(e.accountId, next);
    this.#o.logger.debug({ accountId: e.accountId, oem: e.oem, version }, 'OEM tokens refreshed');
    return next;
  }

  async #dead(e: Entry, reason: string): Promise<never> {
    this.#cache.delete(e.accountId);
    await this.#o.store.setAccountState(e.accountId, 'reauth_required', reason, this.#o.clock.now());
    this.#o.logger.warn({ accountId: e.accountId, oem: e.oem, reason }, 'OEM refresh token is dead; the owner must log in again');
    await this.#o.onDead(e.accountId, reason);
    throw reauth(e.oem);
  }
}

function refreshDue(t: StoredTokens): number {
  return t.issuedAt + Math.floor((t.expiresAt - t.issuedAt) * REFRESH_AT);
}

function reauth(oem: string): OdmError {
  return new OdmError('ODM_ERR_OEM_REAUTH_REQUIRED', `the ${oem} login has expired or was revoked; the owner must connect the account again`, { details: { oem } });
}
