// What the dashboard's embedded wallet does in the browser (web/src/wallet/embedded-wallet.ts), done in
// Node with the same algorithms, so the node's side of email accounts can be tested over HTTP: scrypt
// then HKDF for the auth and wrap keys, AES-256-GCM (ciphertext ‖ tag, as WebCrypto) for the sealed key.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { signUpMessage } from '../../../web/src/wallet/account-messages.ts';

export interface Kdf {
  alg: 'scrypt';
  salt: string;
  n: number;
  r: 8;
  p: number;
}

export function deriveKeys(password: string, kdf: Kdf): { authKey: string; wrapKey: Buffer } {
  const master = scryptSync(Buffer.from(password.normalize('NFKC')), Buffer.from(kdf.salt, 'hex'), 32, { N: kdf.n, r: kdf.r, p: kdf.p, maxmem: 256 * 1024 * 1024 });
  const auth = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'opendimo/owner-auth/v1', 32));
  const wrap = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'opendimo/owner-wallet/v1', 32));
  return { authKey: auth.toString('hex'), wrapKey: wrap };
}

const aad = (address: string) => Buffer.from(`opendimo/owner-wallet/v1/${address.toLowerCase()}`);

export function seal(wrapKey: Buffer, privateKey: Hex, address: string): { v: 1; alg: 'A256GCM'; iv: string; ct: string } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', wrapKey, iv);
  c.setAAD(aad(address));
  const ct = Buffer.concat([c.update(Buffer.from(privateKey.slice(2), 'hex')), c.final(), c.getAuthTag()]);
  return { v: 1, alg: 'A256GCM', iv: iv.toString('hex'), ct: ct.toString('hex') };
}

export function unseal(wrapKey: Buffer, wallet: { iv: string; ct: string }, address: string): Hex {
  const ct = Buffer.from(wallet.ct, 'hex');
  const d = createDecipheriv('aes-256-gcm', wrapKey, Buffer.from(wallet.iv, 'hex'));
  d.setAAD(aad(address));
  d.setAuthTag(ct.subarray(ct.length - 16));
  return `0x${Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]).toString('hex')}`;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The sign-up body the browser sends; the lowest cost the node accepts keeps the test fast. */
export async function signUpBody(email: string, password: string) {
  const kdf: Kdf = { alg: 'scrypt', salt: randomBytes(16).toString('hex'), n: 1 << 14, r: 8, p: 1 };
  const { authKey, wrapKey } = deriveKeys(password, kdf);
  const privateKey = generatePrivateKey();
  const account = privateKeyToAccount(privateKey);
  const wallet = seal(wrapKey, privateKey, account.address);
  const signature = await account.signMessage({ message: signUpMessage(account.address, sha256(email.trim().toLowerCase()), sha256(Buffer.from(wallet.iv + wallet.ct, 'hex'))) });
  return { body: { email, authKey, kdf, address: account.address, wallet, signature }, privateKey, account };
}
