// The owner's glovebox (src/glovebox): insurance, registration and other documents per vehicle, sealed
// under the vehicle's vault data key (so deleting the vehicle's data destroys them too). Only the kind,
// the size and the times are plain; name and media type are sealed with the content's key.
import type { Kysely } from 'kysely';
import { bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  const bytes = bytesType(dialect);
  await db.schema
    .createTable('glovebox_documents')
    .addColumn('doc_id', 'text', (c) => c.primaryKey())
    .addColumn('vehicle_id', 'text', (c) => c.notNull())
    .addColumn('owner_version', 'integer', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    // insurance | registration | other
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('meta_ct', bytes, (c) => c.notNull())
    .addColumn('content_ct', bytes, (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('glovebox_documents_vehicle').on('glovebox_documents').columns(['vehicle_id', 'owner_version']).execute();
  await db.schema.createIndex('glovebox_documents_owner').on('glovebox_documents').column('owner').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('glovebox_documents').execute();
}
