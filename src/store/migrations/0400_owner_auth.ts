// Owner sign-in (src/api/auth): Sign-In with Ethereum nonces. Each is single-use and short-lived; a
// verified sign-in deletes its row, and expired rows are pruned whenever a challenge is issued.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const big = bigintType(dialectOf(db));
  await db.schema
    .createTable('owner_auth_nonces')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    // Lowercase 0x address the challenge was issued to, and the domain it names.
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('issued_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('owner_auth_nonces_expiry').on('owner_auth_nonces').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('owner_auth_nonces').execute();
}
