// The node's token-signing keys (owner sessions, app tokens), one per purpose, sealed under the KEK.
// In the database rather than the data dir so that every process of a cluster signs with the same key.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('node_keys')
    // What the key signs ('owner-jwt-key', 'app-jwt-key'); bound into the sealed bytes.
    .addColumn('purpose', 'text', (c) => c.primaryKey())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    // nonce ‖ ciphertext ‖ tag (AES-256-GCM under the KEK) over the PKCS#8 DER private key.
    .addColumn('sealed', bytesType(dialect), (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('node_keys').execute();
}
