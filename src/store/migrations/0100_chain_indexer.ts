// Chain indexer bookkeeping: one durable cursor per indexer, the hashes of recently applied blocks (to
// find the fork point of a reorg) and an undo log of every mirror row each recent block changed.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable('chain_cursors')
    .addColumn('name', 'text', (col) => col.primaryKey())
    // Last block whose events are applied; -1 before the first.
    .addColumn('block_number', bigintType(dialect), (col) => col.notNull())
    .addColumn('block_hash', 'text')
    .addColumn('updated_at', bigintType(dialect), (col) => col.notNull())
    .execute();
  await db.schema
    .createTable('chain_blocks')
    .addColumn('cursor', 'text', (col) => col.notNull())
    .addColumn('block_number', bigintType(dialect), (col) => col.notNull())
    .addColumn('block_hash', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('chain_blocks_pk', ['cursor', 'block_number'])
    .execute();
  await addAutoIdColumn(db.schema.createTable('chain_undo'), 'id', dialect)
    .addColumn('cursor', 'text', (col) => col.notNull())
    .addColumn('block_number', bigintType(dialect), (col) => col.notNull())
    .addColumn('table_name', 'text', (col) => col.notNull())
    // JSON of the row's primary key, and of the whole row before the change (null: there was none).
    .addColumn('row_key', 'text', (col) => col.notNull())
    .addColumn('before_row', 'text')
    .execute();
  await db.schema.createIndex('chain_undo_cursor_block').on('chain_undo').columns(['cursor', 'block_number']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('chain_undo').execute();
  await db.schema.dropTable('chain_blocks').execute();
  await db.schema.dropTable('chain_cursors').execute();
}
