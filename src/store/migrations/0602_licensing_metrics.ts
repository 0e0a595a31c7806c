// Licensing metrics (src/licensing/metrics). `licensing_decisions` is a mirror table of the decision
// indexer (cursor `licensing-decisions`): one row per decision event — issuance, status change, ban,
// unban, raised requirement, challenge ruling — with its published reason, since the licensing mirror
// keeps only each license's latest status. `licensing_metrics_months` freezes a month's figures once
// the month is over, so the published month does not drift as grants expire or are revoked later.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf, jsonType } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  await db.schema
    .createTable('licensing_decisions')
    .addColumn('block_number', big, (c) => c.notNull())
    .addColumn('log_index', 'integer', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('license_id', 'text')
    .addColumn('identity', 'text')
    .addColumn('challenge_id', 'text')
    .addColumn('status', 'text')
    .addColumn('previous_status', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('by_address', 'text')
    .addColumn('amount', 'text')
    .addPrimaryKeyConstraint('licensing_decisions_pk', ['block_number', 'log_index'])
    .execute();
  await db.schema.createIndex('licensing_decisions_at').on('licensing_decisions').columns(['at']).execute();

  await db.schema
    .createTable('licensing_metrics_months')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('doc', jsonType(dialect), (c) => c.notNull())
    .addColumn('published_at', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('licensing_metrics_months').execute();
  await db.schema.dropTable('licensing_decisions').execute();
}
