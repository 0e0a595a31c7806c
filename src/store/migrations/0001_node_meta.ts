// The node's own key/value facts (node id, first start). Portable DDL: text + bigint only.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('node_meta')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .addColumn('updated_at', bigintType(dialectOf(db)), (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('node_meta').execute();
}
