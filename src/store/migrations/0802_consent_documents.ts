// Signed consent documents (src/consent-inbox): the CloudEvent an owner signs when approving an app's
// request; keccak256 of its canonical bytes is the grant's on-chain `source`, and this table lets anyone
// holding that hash read what was agreed (purpose, streams and frequency, duration).
import type { Kysely } from 'kysely';
import { bigintType, dialectOf, jsonType } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('consent_documents')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('grantor', 'text', (c) => c.notNull())
    .addColumn('grantee', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('document', jsonType(dialect), (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consent_documents_grantor').on('consent_documents').column('grantor').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consent_documents').execute();
}
