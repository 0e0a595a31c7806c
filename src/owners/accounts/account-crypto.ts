// The node's side of email-and-password accounts. The browser derives from the password (scrypt with a
// per-account salt, then HKDF) an auth key, which it sends, and a wallet key, which it never sends. The
// node keeps scrypt(auth key, another per-account salt) to check sign-ins, so a stolen table still costs
// two scrypt rounds per password guess. Emails are kept as a keyed tag (look-up) and sealed text, under
// keys derived from the node's KEK.
import { createHash, createHmac, hkdfSync, randomBytes, scrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { open, seal, toKey } from '../../vault/aead.ts';

/** Server-side scrypt cost for the verifier (the browser already paid for the password stretch). */
const VERIFIER = { N: 1 << 14, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

export interface AccountKeys {
  tagKey: Buffer;
  emailKey: KeyObject;
}

export function accountKeys(kek: Buffer): AccountKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), info, 32));
  return { tagKey: derive('opendimo/owner-accounts/email-tag/v1'), emailKey: toKey(derive('opendimo/owner-accounts/email/v1')) };
}

/** Trimmed and lower-cased: the form an email is compared in. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailTag(keys: AccountKeys, email: string): string {
  return createHmac('sha256', keys.tagKey).update(normalizeEmail(email)).digest('hex');
}

export function sealEmail(keys: AccountKeys, address: string, email: string): Buffer {
  return seal(keys.emailKey, Buffer.from(normalizeEmail(email)), `owner_accounts/${address}/email`);
}

export function openEmail(keys: AccountKeys, address: string, sealed: Buffer): string {
  return open(keys.emailKey, sealed, `owner_accounts/${address}/email`).toString('utf8');
}

/** A salt that looks like a real one for an email with no account, the same on every ask. */
export function decoySalt(keys: AccountKeys, email: string): string {
  return createHmac('sha256', keys.tagKey).update(`decoy-salt\0${normalizeEmail(email)}`).digest('hex').slice(0, 32);
}

export function newVerifierSalt(): Buffer {
  return randomBytes(16);
}

export function verifierOf(authKey: Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(authKey, salt, VERIFIER.keylen, { N: VERIFIER.N, r: VERIFIER.r, p: VERIFIER.p, maxmem: VERIFIER.maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
