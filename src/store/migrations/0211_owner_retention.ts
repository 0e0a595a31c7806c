// How long the node keeps each owner's telemetry (src/vault/retention.ts): days, or no row for forever.
// Keyed by the owner's lowercase 0x address; it covers every vehicle and owner epoch that owner held.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('owner_retention')
    .addColumn('owner', 'text', (c) => c.primaryKey())
    .addColumn('days', 'integer', (c) => c.notNull())
    .addColumn('updated_at', bigintType(dialectOf(db)), (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('owner_retention').execute();
}
