// Owner sign-in as a service: Sign-In with Ethereum challenges and verification, and owner session
// tokens. Wallet owners sign the challenge (EOAs checked offline; contract wallets through ERC-1271 /
// ERC-6492 on chain). Email-and-password sign-in (with an embedded wallet sealed under the owner's
// secret) proves control of the address its own way and then calls `issueToken(address, 'password')`;
// everything downstream (requireOwner, the activity log) sees the same token.
import { isAddress, verifyMessage, type Address, type Hex } from 'viem';
import type { ChainPublicClient } from '../../chain/clients.ts';
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { Store } from '../../store/store.ts';
import { OwnerNonces } from './owner-nonces.ts';
import type { OwnerSigningKey } from './owner-signing-key.ts';
import { challengeMessage, checkSiweMessage } from './owner-siwe.ts';
import { signOwnerToken, verifyOwnerToken, type OwnerAuthMethod, type OwnerSession } from './owner-tokens.ts';

export const CHALLENGE_TTL_MS = 5 * 60_000;

export interface OwnerAuthOptions {
  store: Store;
  clock: Clock;
  signingKey: OwnerSigningKey;
  chainId: number;
  /** Authorities (host:port) sign-in messages may name; the first is the default. */
  domains: string[];
  /** Scheme of the URI in challenges; default http. */
  scheme?: 'http' | 'https';
  /** For contract wallets (ERC-1271); without it only EOA signatures verify. */
  publicClient?: ChainPublicClient;
  challengeTtlMs?: number;
}

export interface OwnerChallenge {
  message: string;
  nonce: string;
  /** Epoch ms. */
  expiresAt: number;
}

export class OwnerAuth {
  readonly #o: OwnerAuthOptions;
  readonly #nonces: OwnerNonces;
  readonly #domains: ReadonlySet<string>;

  constructor(options: OwnerAuthOptions) {
    if (options.domains.length === 0) throw new OdmError('ODM_ERR_CONFIG_INVALID', 'owner sign-in needs at least one domain');
    this.#o = options;
    this.#nonces = new OwnerNonces(options.store.db);
    this.#domains = new Set(options.domains);
  }

  get domains(): readonly string[] {
    return this.#o.domains;
  }

  /** `host`: the Host the request came to; used when it is one of ours, else the default domain. */
  async challenge(address: string, host?: string): Promise<OwnerChallenge> {
    if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
      throw new OdmError('ODM_ERR_VALIDATION', 'address must be a 0x-prefixed 20-byte hex address');
    }
    const domain = host && this.#domains.has(host) ? host : this.#o.domains[0]!;
    const now = this.#o.clock.now();
    const record = await this.#nonces.issue(address, domain, now, this.#o.challengeTtlMs ?? CHALLENGE_TTL_MS);
    const uri = `${this.#o.scheme ?? 'http'}://${domain}`;
    const message = challengeMessage({ domain, uri, chainId: this.#o.chainId }, address as Address, record.nonce, now, record.expiresAt);
    return { message, nonce: record.nonce, expiresAt: record.expiresAt };
  }

  /** Checks a signed challenge and opens a session; the nonce is spent only by a sign-in that succeeds. */
  async verify(message: string, signature: string): Promise<{ address: string; token: string; expiresAt: number }> {
    if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]+$/.test(signature) || signature.length < 4) {
      throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'signature must be 0x-prefixed hex');
    }
    const now = this.#o.clock.now();
    const siwe = checkSiweMessage(message, { domains: this.#domains, chainId: this.#o.chainId }, now);
    const record = await this.#nonces.find(siwe.nonce);
    if (!record) throw new OdmError('ODM_ERR_NONCE_INVALID', 'this sign-in nonce is unknown or already used; ask for a new challenge');
    if (record.address !== siwe.address) throw new OdmError('ODM_ERR_NONCE_INVALID', 'this nonce was issued to another address');
    if (record.domain !== siwe.domain) throw new OdmError('ODM_ERR_SIWE_DOMAIN', 'this nonce was issued for another domain', { details: { domain: siwe.domain } });
    if (now >= record.expiresAt) throw new OdmError('ODM_ERR_SIGNATURE_EXPIRED', 'the sign-in challenge has expired; ask for a new one');
    if (!(await this.#signedBy(siwe.address as Address, message, signature as Hex))) {
      throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'the signature is not by the address in the message');
    }
    if (!(await this.#nonces.consume(siwe.nonce))) throw new OdmError('ODM_ERR_NONCE_INVALID', 'this sign-in nonce was already used');
    const session = await this.issueToken(siwe.address, 'siwe');
    return { address: siwe.address, ...session };
  }

  /** A session token for an owner who has proven control of `address` (by whatever method). */
  issueToken(address: string, method: OwnerAuthMethod): Promise<{ token: string; expiresAt: number }> {
    return signOwnerToken(this.#o.signingKey, address, method, this.#o.clock.now());
  }

  /** Throws ODM_ERR_AUTH_REQUIRED unless `token` is a current owner token of this node. */
  authenticate(token: string): Promise<OwnerSession> {
    return verifyOwnerToken(this.#o.signingKey, token, this.#o.clock.now());
  }

  async #signedBy(address: Address, message: string, signature: Hex): Promise<boolean> {
    try {
      if (await verifyMessage({ address, message, signature })) return true;
    } catch {
      // not a 65-byte ECDSA signature: may still be a contract wallet's
    }
    if (!this.#o.publicClient) return false;
    try {
      // ERC-1271 for deployed contract wallets, ERC-6492 for counterfactual ones.
      return await this.#o.publicClient.verifyMessage({ address, message, signature });
    } catch {
      return false;
    }
  }
}

const running = new WeakMap<NodeServices, OwnerAuth>();

export function setOwnerAuth(services: NodeServices, auth: OwnerAuth | undefined): void {
  if (auth) running.set(services, auth);
  else running.delete(services);
}

/** The node's owner sign-in; ODM_ERR_UNAVAILABLE until the owner-auth capability has started. */
export function getOwnerAuth(services: NodeServices): OwnerAuth {
  const auth = running.get(services);
  if (!auth) throw new OdmError('ODM_ERR_UNAVAILABLE', 'owner sign-in is starting; try again in a moment', { retryable: true });
  return auth;
}
