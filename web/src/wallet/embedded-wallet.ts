// The embedded wallet of an email-and-password account. Everything secret happens here, in the browser:
//   master  = scrypt(password, salt)            (salt and cost stored by the node, handed back at sign-in)
//   authKey = HKDF(master, "opendimo/owner-auth/v1")    sent to the node, which stores only a verifier
//   wrapKey = HKDF(master, "opendimo/owner-wallet/v1")  never leaves the browser
//   wallet  = AES-256-GCM(wrapKey, secp256k1 private key, aad = address)  stored by the node, opaque to it
// So the operator holds neither the password, nor the wrap key, nor the private key: it cannot sign for
// the owner. Forgetting the password loses the key (there is no reset that keeps the same address).
import { scryptAsync } from '@noble/hashes/scrypt';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { api } from '../api/http.ts';
import { signUpMessage } from './account-messages.ts';
import { aesKey, aesOpen, aesSeal, fromHex, hkdf, randomBytes, sha256Hex, toHex, utf8 } from './bytes.ts';

export interface Kdf {
  alg: 'scrypt';
  salt: string;
  n: number;
  r: 8;
  p: number;
}

export interface SealedWallet {
  v: 1;
  alg: 'A256GCM';
  iv: string;
  ct: string;
}

export const NEW_KDF: Omit<Kdf, 'salt'> = { alg: 'scrypt', n: 1 << 15, r: 8, p: 1 };

const walletAad = (address: string) => `opendimo/owner-wallet/v1/${address.toLowerCase()}`;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

async function deriveKeys(password: string, kdf: Kdf, onProgress?: (f: number) => void): Promise<{ authKey: string; wrapKey: CryptoKey }> {
  const master = await scryptAsync(utf8(password.normalize('NFKC')), fromHex(kdf.salt), {
    N: kdf.n, r: kdf.r, p: kdf.p, dkLen: 32, ...(onProgress ? { onProgress } : {}),
  });
  const [auth, wrap] = await Promise.all([hkdf(master, 'opendimo/owner-auth/v1'), hkdf(master, 'opendimo/owner-wallet/v1')]);
  master.fill(0);
  return { authKey: toHex(auth), wrapKey: await aesKey(wrap) };
}

/** Creates the account: a new key, sealed under the password; the node gets proof the key is ours. */
export async function signUp(email: string, password: string, onProgress?: (f: number) => void): Promise<{ address: Hex; privateKey: Hex }> {
  const kdf: Kdf = { ...NEW_KDF, salt: toHex(randomBytes(16)) };
  const { authKey, wrapKey } = await deriveKeys(password, kdf, onProgress);
  const privateKey = generatePrivateKey();
  const account = privateKeyToAccount(privateKey);
  const sealed = await aesSeal(wrapKey, fromHex(privateKey), walletAad(account.address));
  const wallet: SealedWallet = { v: 1, alg: 'A256GCM', iv: toHex(sealed.iv), ct: toHex(sealed.ct) };
  const walletHash = await sha256Hex(fromHex(wallet.iv + wallet.ct));
  const signature = await account.signMessage({ message: signUpMessage(account.address, await sha256Hex(normalizeEmail(email)), walletHash) });
  await api('/v1/owner/accounts', { body: { email, authKey, kdf, address: account.address, wallet, signature }, token: null });
  return { address: account.address, privateKey };
}

/** Signs in: the node checks the auth key and returns the sealed key, which only the password opens. */
export async function signIn(email: string, password: string, onProgress?: (f: number) => void): Promise<{ address: Hex; privateKey: Hex }> {
  const { kdf } = await api<{ kdf: Kdf }>('/v1/owner/accounts/prelogin', { body: { email }, token: null });
  const { authKey, wrapKey } = await deriveKeys(password, kdf, onProgress);
  const { address, wallet } = await api<{ address: Hex; wallet: SealedWallet }>('/v1/owner/accounts/login', { body: { email, authKey }, token: null });
  const plain = await aesOpen(wrapKey, fromHex(wallet.iv), fromHex(wallet.ct), walletAad(address));
  const privateKey = `0x${toHex(plain)}` as Hex;
  plain.fill(0);
  if (privateKeyToAccount(privateKey).address.toLowerCase() !== address.toLowerCase()) throw new Error('the sealed key does not match the account');
  return { address, privateKey };
}
