// Owner accounts with email and password (src/owners/accounts). The node never holds the password nor
// anything that signs for the owner: the browser derives two keys from the password (scrypt, then HKDF),
// sends one (the auth key) and keeps the other to seal the owner's embedded wallet key. Rows hold a
// verifier of the auth key (scrypt again, per-account salt), the sealed wallet as the browser sent it,
// and the email only as a keyed tag (for look-up) and as ciphertext under a key derived from the KEK.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf, jsonType } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  const bytes = bytesType(dialect);
  await db.schema
    .createTable('owner_accounts')
    // Lowercase 0x address of the embedded wallet.
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('email_tag', 'text', (c) => c.notNull().unique())
    .addColumn('email_ct', bytes, (c) => c.notNull())
    // {alg: 'scrypt', salt, n, r, p}: the browser's key derivation, handed back at sign-in.
    .addColumn('kdf', jsonType(dialect), (c) => c.notNull())
    .addColumn('verifier_salt', bytes, (c) => c.notNull())
    .addColumn('verifier', bytes, (c) => c.notNull())
    // {v, alg, iv, ct}: the wallet key sealed by the browser; opaque to the node.
    .addColumn('wallet', jsonType(dialect), (c) => c.notNull())
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', big, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('owner_accounts').execute();
}
