// License applications (src/console): a developer or operator asks the licensing team for a license;
// the team issues it on chain or rejects it, and the decision and its reason are published.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const big = bigintType(dialect);
  await addAutoIdColumn(db.schema.createTable('license_applications'), 'id', dialect)
    .addColumn('applicant', 'text', (c) => c.notNull())
    // client | node | app
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('legal_name', 'text', (c) => c.notNull())
    .addColumn('dba', 'text', (c) => c.notNull())
    .addColumn('website', 'text', (c) => c.notNull())
    .addColumn('support_email', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    // pending | issued | rejected | withdrawn
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('license_id', 'text')
    .addColumn('tx_hash', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('decided_at', big)
    .execute();
  await db.schema.createIndex('license_applications_applicant').on('license_applications').column('applicant').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('license_applications').execute();
}
