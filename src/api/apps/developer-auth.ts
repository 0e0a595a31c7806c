// Developer sign-in with a license's API key, as DIMO's auth server does it (web3 connector):
//   generate_challenge(client_id, domain, …) → {state, challenge}: `client_id` is the address acting for
//     the license (its holder or an address linked to it), `domain` one of the license's redirect URIs;
//   submit_challenge(client_id, domain, state, signature) → developer JWT, when the EIP-191 signature of
//     the challenge recovers to a signer enabled (and unexpired) on a license of that client id which
//     has that redirect URI.
// States are random, kept in the database (a restart or another API process honours them), valid for a
// few minutes and spent by the first submission, right or wrong, so none can be replayed or guessed at.
import { randomBytes } from 'node:crypto';
import { getAddress, recoverMessageAddress, type Hex } from 'viem';
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { LicensingMirror } from '../../licensing/licensing-mirror.ts';
import type { Store } from '../../store/store.ts';
import type { AppAccessRuntime } from './app-access-runtime.ts';
import { signDeveloperTokens } from './developer-token.ts';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_DOMAIN = 256;
const MAX_OPEN_CHALLENGES = 100;

export interface ChallengeRequest {
  client_id?: unknown;
  domain?: unknown;
  scope?: unknown;
  response_type?: unknown;
  address?: unknown;
}

export interface SubmitRequest {
  client_id?: unknown;
  domain?: unknown;
  grant_type?: unknown;
  state?: unknown;
  signature?: unknown;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token: string;
}

export interface DeveloperAuthDeps {
  store: Store;
  clock: Clock;
  runtime: () => AppAccessRuntime;
  mirror: () => LicensingMirror;
  /** Host:port the challenge names as the party asking. */
  authority: string;
}

function field(value: unknown, name: string, max = MAX_DOMAIN): string {
  // No control characters: the domain is written into the text the API key signs.
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new OdmError('ODM_ERR_VALIDATION', `${name} is required (a printable string of at most ${max} characters)`, { details: { field: name } });
  }
  return value;
}

function clientId(value: unknown): string {
  const id = field(value, 'client_id', 42);
  if (!ADDRESS.test(id)) throw new OdmError('ODM_ERR_VALIDATION', 'client_id is the 0x address acting for the license', { details: { field: 'client_id' } });
  return id.toLowerCase();
}

export class DeveloperAuth {
  readonly #d: DeveloperAuthDeps;

  constructor(deps: DeveloperAuthDeps) {
    this.#d = deps;
  }

  /** Licenses `client` acts for that list `domain` as a redirect URI. */
  #licensesFor(client: string, domain: string): bigint[] {
    const mirror = this.#d.mirror();
    const held = mirror.index.licensesOf(client);
    if (held.length === 0) {
      throw new OdmError('ODM_ERR_CLIENT_UNKNOWN', `${client} holds no license on this node and is not linked to a holder of one`, { details: { clientId: client } });
    }
    const ids = held.filter((l) => mirror.signers.hasRedirectUri(l.licenseId, domain)).map((l) => l.licenseId);
    if (ids.length === 0) {
      throw new OdmError('ODM_ERR_REDIRECT_URI_INVALID', `${JSON.stringify(domain.slice(0, 100))} is not a redirect URI registered on a license of ${client}`, {
        details: { clientId: client, domain: domain.slice(0, MAX_DOMAIN) },
      });
    }
    return ids;
  }

  async generate(req: ChallengeRequest): Promise<{ state: string; challenge: string }> {
    const client = clientId(req.client_id);
    const domain = field(req.domain, 'domain');
    if (req.response_type !== undefined && req.response_type !== 'code') {
      throw new OdmError('ODM_ERR_VALIDATION', 'response_type must be code', { details: { field: 'response_type' } });
    }
    if (req.scope !== undefined && (typeof req.scope !== 'string' || req.scope.length > 200)) throw new OdmError('ODM_ERR_VALIDATION', 'scope must be a short string', { details: { field: 'scope' } });
    if (req.address !== undefined && (typeof req.address !== 'string' || !ADDRESS.test(req.address))) {
      throw new OdmError('ODM_ERR_VALIDATION', 'address must be a 0x address', { details: { field: 'address' } });
    }
    this.#licensesFor(client, domain);
    const now = this.#d.clock.now();
    const ttl = this.#d.runtime().options.challengeTtlMs;
    const state = randomBytes(16).toString('hex');
    const address = getAddress((req.address as string | undefined) ?? client);
    const challenge = [
      `${this.#d.authority} wants you to sign in with your Ethereum account:`,
      address,
      '',
      `Sign in as an API key of the license client ${getAddress(client)}.`,
      '',
      `URI: ${domain}`,
      'Version: 1',
      `Chain ID: ${this.#d.runtime().chainId}`,
      `Nonce: ${state}`,
      `Issued At: ${new Date(now).toISOString()}`,
      `Expiration Time: ${new Date(now + ttl).toISOString()}`,
    ].join('\n');
    const db = this.#d.store.db;
    await db.deleteFrom('app_auth_states').where('expires_at', '<=', now).execute();
    // Challenges need no credentials: bound how many one client id may have outstanding.
    const open = await db.selectFrom('app_auth_states').select((eb) => eb.fn.countAll<number>().as('n')).where('client_id', '=', client).executeTakeFirst();
    if (Number(open?.n ?? 0) >= MAX_OPEN_CHALLENGES) {
      throw new OdmError('ODM_ERR_RATE_LIMITED', `${client} has ${MAX_OPEN_CHALLENGES} unanswered challenges; answer one or wait for them to expire`, {
        details: { clientId: client, retryAfterSec: Math.ceil(ttl / 1000) },
      });
    }
    await db.insertInto('app_auth_states').values({ state, client_id: client, domain, challenge, issued_at: now, expires_at: now + ttl }).execute();
    return { state, challenge };
  }

  async submit(req: SubmitRequest): Promise<TokenResponse> {
    const client = clientId(req.client_id);
    const domain = field(req.domain, 'domain');
    if (req.grant_type !== undefined && req.grant_type !== 'authorization_code') {
      throw new OdmError('ODM_ERR_VALIDATION', 'grant_type must be authorization_code', { details: { field: 'grant_type' } });
    }
    const stateId = field(req.state, 'state', 64);
    const signature = field(req.signature, 'signature', 200);
    if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'signature must be a 65-byte 0x hex signature');

    const db = this.#d.store.db;
    const row = await db.selectFrom('app_auth_states').selectAll().where('state', '=', stateId).executeTakeFirst();
    // Spent by the first answer: a replay, or a second guess after a wrong signature, finds nothing.
    const spent = row ? Number((await db.deleteFrom('app_auth_states').where('state', '=', stateId).executeTakeFirst()).numDeletedRows) === 1 : false;
    if (!row || !spent) throw stateError('unknown', 'this state is unknown or already used; generate a new challenge');
    const now = this.#d.clock.now();
    if (now >= Number(row.expires_at)) throw stateError('expired', 'the challenge has expired; generate a new one');
    if (row.client_id !== client || row.domain !== domain) throw stateError('mismatch', 'client_id and domain must be those the challenge was generated for');

    let signer: string;
    try {
      signer = (await recoverMessageAddress({ message: row.challenge, signature: signature as Hex })).toLowerCase();
    } catch (cause) {
      throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'the signature does not recover to an address', { cause });
    }
    const licenses = this.#licensesFor(client, domain);
    const mirror = this.#d.mirror();
    const nowSec = Math.floor(now / 1000);
    const enabled = licenses.filter((id) => mirror.signers.expiryOf(id, signer) !== undefined);
    if (enabled.length === 0) {
      throw new OdmError('ODM_ERR_SIGNER_NOT_ENABLED', `${signer} is not an API key of a license of ${client} with this redirect URI`, { details: { signer, clientId: client } });
    }
    const current = enabled.filter((id) => mirror.signers.expiryOf(id, signer)! > nowSec);
    if (current.length === 0) {
      const expiresAt = Math.max(...enabled.map((id) => mirror.signers.expiryOf(id, signer)!));
      throw new OdmError('ODM_ERR_SIGNER_EXPIRED', `the API key ${signer} expired at ${new Date(expiresAt * 1000).toISOString()}`, { details: { signer, expiresAt } });
    }
    // Prefer a license the gate lets through, then the lowest id.
    const licenseId = current.find((id) => mirror.gate.check(id).ok) ?? current[0]!;
    // A token outlives neither its API key nor the usual lifetime.
    const keyExpiresAtMs = mirror.signers.expiryOf(licenseId, signer)! * 1000;
    const tokens = await signDeveloperTokens(this.#d.runtime(), { licenseId: licenseId.toString(), signer, clientId: client }, now, keyExpiresAtMs);
    return { access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn, id_token: tokens.idToken };
  }
}

function stateError(reason: string, message: string): OdmError {
  return new OdmError('ODM_ERR_OAUTH_STATE_INVALID', message, { details: { reason } });
}
