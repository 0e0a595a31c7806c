// Encryption at rest for the connectors, built on the vault's AES-256-GCM (src/vault/aead.ts). Keys
// derived from the node's KEK (HKDF, one per purpose, never stored):
//   wrap   — wraps one random data key per OEM account; the account's tokens are sealed under that key,
//            so deleting the wrapped key (disconnect) shreds the tokens even in an old database copy;
//   secret — seals node secrets such as the HD seed of device keys;
//   hash   — keys the hashes of OEM user ids and the salt of VIN commitments.
// Associated data names the row (and token version), so a ciphertext moved to another row fails to open.
import { createHmac, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { keccak256, concatHex, toHex, type Hex } from 'viem';
import { KEY_BYTES, open, seal, toKey } from '../../vault/aead.ts';

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Tesla's id_token is not kept; scopes travel in their own column. */
  issuedAt: number;
  expiresAt: number;
}

function derive(kek: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.from('opendimo-connectors'), Buffer.from(purpose), KEY_BYTES));
}

export class ConnectorSealing {
  readonly #wrap: KeyObject;
  readonly #secret: KeyObject;
  readonly #hash: Buffer;

  constructor(kek: Buffer) {
    this.#wrap = toKey(derive(kek, 'account-key-wrap'));
    this.#secret = toKey(derive(kek, 'node-secrets'));
    this.#hash = derive(kek, 'keyed-hash');
  }

  /** A fresh data key for an account: the key and its wrapped form for the database. */
  newAccountKey(accountId: string): { key: KeyObject; wrapped: Buffer } {
    const raw = randomBytes(KEY_BYTES);
    const wrapped = seal(this.#wrap, raw, `connector_accounts/${accountId}/key`);
    const key = toKey(raw);
    raw.fill(0);
    return { key, wrapped };
  }

  unwrapAccountKey(accountId: string, wrapped: Uint8Array): KeyObject {
    const raw = open(this.#wrap, wrapped, `connector_accounts/${accountId}/key`);
    const key = toKey(raw);
    raw.fill(0);
    return key;
  }

  sealTokens(key: KeyObject, accountId: string, version: number, tokens: StoredTokens): Buffer {
    return seal(key, Buffer.from(JSON.stringify(tokens)), `connector_accounts/${accountId}/tokens/${version}`);
  }

  openTokens(key: KeyObject, accountId: string, version: number, sealed: Uint8Array): StoredTokens {
    return JSON.parse(open(key, sealed, `connector_accounts/${accountId}/tokens/${version}`).toString('utf8')) as StoredTokens;
  }

  sealSecret(name: string, plaintext: Uint8Array): Buffer {
    return seal(this.#secret, plaintext, `connector_secrets/${name}`);
  }

  openSecret(name: string, sealed: Uint8Array): Buffer {
    return open(this.#secret, sealed, `connector_secrets/${name}`);
  }

  /** Short-lived values that travel through a browser (OAuth state): sealed under the secret key. */
  sealTransient(purpose: string, value: unknown): string {
    return seal(this.#secret, Buffer.from(JSON.stringify(value)), `transient/${purpose}`).toString('base64url');
  }

  openTransient<T>(purpose: string, text: string): T {
    return JSON.parse(open(this.#secret, Buffer.from(text, 'base64url'), `transient/${purpose}`).toString('utf8')) as T;
  }

  /** Keyed hash of an OEM's user id: finds the same OEM account again without storing its id. */
  userHash(oem: string, userId: string): string {
    return createHmac('sha256', this.#hash).update(`oem-user\0${oem}\0${userId}`).digest('hex');
  }

  /**
   * The VIN commitment that goes on chain: keccak256(salt ‖ VIN) with a salt only this node knows, so
   * the chain cannot be searched for a VIN, and the same car onboarded again finds its vehicle.
   */
  vinHash(vin: string): Hex {
    const salt = createHmac('sha256', this.#hash).update('vin-salt').digest();
    return keccak256(concatHex([toHex(salt), toHex(vin.trim().toUpperCase())]));
  }
}
