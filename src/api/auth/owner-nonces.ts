// Sign-In with Ethereum nonces: random, bound to the address and domain they were issued for, valid
// for a few minutes and good for one sign-in. Kept in the database so a restart (or another API
// process on the same database) honours them.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

export interface NonceRecord {
  nonce: string;
  address: string;
  domain: string;
  issuedAt: number;
  expiresAt: number;
}

export class OwnerNonces {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** A fresh nonce (128 bits, hex: EIP-4361 wants alphanumerics); expired ones are pruned first. */
  async issue(address: string, domain: string, now: number, ttlMs: number): Promise<NonceRecord> {
    await this.#db.deleteFrom('owner_auth_nonces').where('expires_at', '<=', now).execute();
    const record: NonceRecord = { nonce: randomBytes(16).toString('hex'), address: address.toLowerCase(), domain, issuedAt: now, expiresAt: now + ttlMs };
    await this.#db.insertInto('owner_auth_nonces').values({ nonce: record.nonce, address: record.address, domain, issued_at: now, expires_at: record.expiresAt }).execute();
    return record;
  }

  async find(nonce: string): Promise<NonceRecord | undefined> {
    const row = await this.#db.selectFrom('owner_auth_nonces').selectAll().where('nonce', '=', nonce).executeTakeFirst();
    return row && { nonce: row.nonce, address: row.address, domain: row.domain, issuedAt: Number(row.issued_at), expiresAt: Number(row.expires_at) };
  }

  /** True for exactly one caller per nonce, even when two race. */
  async consume(nonce: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('owner_auth_nonces').where('nonce', '=', nonce).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
