// Email-and-password owner accounts whose signing key lives sealed in the browser (an embedded wallet):
// sign-up stores the sealed key, a verifier of the browser's auth key and the email (tagged and sealed);
// sign-in checks the auth key and hands the sealed key back, which only the password opens. The owner's
// session token then comes from Sign-In with Ethereum, signed in the browser with the opened key, like
// any wallet's: the node never holds anything that signs for the owner.
import { recoverMessageAddress, type Hex } from 'viem';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { accountKeys, decoySalt, emailTag, newVerifierSalt, normalizeEmail, openEmail, sameBytes, sealEmail, sha256Hex, verifierOf, type AccountKeys } from './account-crypto.ts';
import { signUpMessage } from './account-messages.ts';

export const MAX_FAILED_LOGINS = 10;
export const LOCK_MS = 15 * 60_000;
/** Browser scrypt cost offered to new accounts and to unknown emails. */
export const DEFAULT_KDF = { alg: 'scrypt', n: 1 << 15, r: 8, p: 1 } as const;

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `must be ${bytes} bytes of lowercase hex`);
export const kdfSchema = z.strictObject({
  alg: z.literal('scrypt'),
  salt: hex(16),
  n: z.number().int().refine((n) => n >= 1 << 14 && n <= 1 << 20 && (n & (n - 1)) === 0, 'must be a power of two from 2^14 to 2^20'),
  r: z.literal(8),
  p: z.number().int().min(1).max(4),
});
export const walletSchema = z.strictObject({
  v: z.literal(1),
  alg: z.literal('A256GCM'),
  iv: hex(12),
  // a 32-byte key and the 16-byte tag
  ct: hex(48),
});
const email = z.string().min(3).max(254).refine((e) => /^[^\s@]+@[^\s@]+$/.test(e.trim()), 'must be an email address');
export const signUpBody = z.strictObject({
  email,
  authKey: hex(32),
  kdf: kdfSchema,
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  wallet: walletSchema,
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
});
export const preloginBody = z.strictObject({ email });
export const loginBody = z.strictObject({ email, authKey: hex(32) });

export type Kdf = z.infer<typeof kdfSchema>;
export type SealedWallet = z.infer<typeof walletSchema>;

export class OwnerAccounts {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #keys: AccountKeys;

  constructor(store: Store, kek: Buffer, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
    this.#keys = accountKeys(kek);
  }

  async signUp(body: z.infer<typeof signUpBody>): Promise<{ address: string }> {
    const address = body.address.toLowerCase();
    const walletHash = sha256Hex(Buffer.from(body.wallet.iv + body.wallet.ct, 'hex'));
    const message = signUpMessage(address, sha256Hex(normalizeEmail(body.email)), walletHash);
    let signer: string;
    try {
      signer = (await recoverMessageAddress({ message, signature: body.signature as Hex })).toLowerCase();
    } catch (cause) {
      throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'the sign-up signature does not verify', { cause });
    }
    if (signer !== address) throw new OdmError('ODM_ERR_SIGNATURE_INVALID', 'the sign-up must be signed by the wallet it registers');
    const tag = emailTag(this.#keys, body.email);
    const db = this.#store.db;
    const taken = await db.selectFrom('owner_accounts').select(['address', 'email_tag']).where((eb) => eb.or([eb('email_tag', '=', tag), eb('address', '=', address)])).executeTakeFirst();
    if (taken) throw new OdmError('ODM_ERR_ACCOUNT_EXISTS', taken.email_tag === tag ? 'an account with this email exists; sign in instead' : 'this wallet already has an account');
    const salt = newVerifierSalt();
    const verifier = await verifierOf(Buffer.from(body.authKey, 'hex'), salt);
    const now = this.#clock.now();
    try {
      await db.insertInto('owner_accounts').values({
        address, email_tag: tag, email_ct: sealEmail(this.#keys, address, body.email), kdf: JSON.stringify(body.kdf),
        verifier_salt: salt, verifier, wallet: JSON.stringify(body.wallet), created_at: now, updated_at: now,
      }).execute();
    } catch (cause) {
      // Two sign-ups racing for one email: the unique index decides.
      throw new OdmError('ODM_ERR_ACCOUNT_EXISTS', 'an account with this email exists; sign in instead', { cause });
    }
    return { address };
  }

  /** The key-derivation settings for an email; an email without an account gets plausible decoys. */
  async prelogin(email: string): Promise<{ kdf: Kdf }> {
    const row = await this.#store.db.selectFrom('owner_accounts').select('kdf').where('email_tag', '=', emailTag(this.#keys, email)).executeTakeFirst();
    if (row) return { kdf: JSON.parse(row.kdf) as Kdf };
    return { kdf: { ...DEFAULT_KDF, salt: decoySalt(this.#keys, email) } };
  }

  async login(email: string, authKeyHex: string): Promise<{ address: string; wallet: SealedWallet }> {
    const db = this.#store.db;
    const now = this.#clock.now();
    const row = await db.selectFrom('owner_accounts').selectAll().where('email_tag', '=', emailTag(this.#keys, email)).executeTakeFirst();
    const authKey = Buffer.from(authKeyHex, 'hex');
    if (!row) {
      await verifierOf(authKey, newVerifierSalt()); // same cost as a real check: no timing tell
      throw new OdmError('ODM_ERR_LOGIN_FAILED', 'the email or the password is wrong');
    }
    if (Number(row.locked_until) > now) {
      throw new OdmError('ODM_ERR_LOGIN_LOCKED', 'too many wrong passwords; try again later', { details: { retryAt: Number(row.locked_until) } });
    }
    const ok = sameBytes(await verifierOf(authKey, row.verifier_salt), row.verifier);
    if (!ok) {
      const failed = Number(row.failed_logins) + 1;
      const lock = failed >= MAX_FAILED_LOGINS;
      await db.updateTable('owner_accounts').set({ failed_logins: lock ? 0 : failed, locked_until: lock ? now + LOCK_MS : 0 }).where('address', '=', row.address).execute();
      throw new OdmError('ODM_ERR_LOGIN_FAILED', 'the email or the password is wrong');
    }
    if (Number(row.failed_logins) > 0) await db.updateTable('owner_accounts').set({ failed_logins: 0 }).where('address', '=', row.address).execute();
    return { address: row.address, wallet: JSON.parse(row.wallet) as SealedWallet };
  }

  async describe(address: string): Promise<{ address: string; email: string; createdAt: number } | undefined> {
    const row = await this.#store.db.selectFrom('owner_accounts').select(['address', 'email_ct', 'created_at']).where('address', '=', address.toLowerCase()).executeTakeFirst();
    return row && { address: row.address, email: openEmail(this.#keys, row.address, row.email_ct), createdAt: Number(row.created_at) };
  }

  /** Removes the account row (the email, the verifier and the sealed key); true when there was one. */
  async remove(address: string): Promise<boolean> {
    const r = await this.#store.db.deleteFrom('owner_accounts').where('address', '=', address.toLowerCase()).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async exists(address: string): Promise<boolean> {
    return (await this.#store.db.selectFrom('owner_accounts').select('address').where('address', '=', address.toLowerCase()).executeTakeFirst()) !== undefined;
  }
}
