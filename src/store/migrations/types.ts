// Column-type helpers so one migration file runs on both SQLite and PostgreSQL. Migrations receive a
// plain Kysely instance, so they ask it which dialect it speaks with `dialectOf(db)`.
import { PostgresAdapter } from 'kysely';
import type { ColumnDataType, CreateTableBuilder, Kysely } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): StoreDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Raw bytes (ciphertext, keys, signatures); read back as Buffer on both dialects. */
export function bytesType(dialect: StoreDialect): ColumnDataType {
  return dialect === 'postgres' ? 'bytea' : 'blob';
}

/**
 * JSON documents. Write `JSON.stringify(value)`; both dialects read back the JSON *string* (the
 * PostgreSQL adapter turns off pg's json parsing) so callers parse in one place.
 */
export function jsonType(dialect: StoreDialect): ColumnDataType {
  return dialect === 'postgres' ? 'jsonb' : 'text';
}

/**
 * Epoch milliseconds and counters. 'bigint' on both (SQLite gives it INTEGER affinity); the PostgreSQL
 * adapter parses int8 to number, so values must stay within Number.MAX_SAFE_INTEGER (token amounts
 * belong in text columns as decimal strings).
 */
export function bigintType(_dialect: StoreDialect): ColumnDataType {
  return 'bigint';
}

/**
 * Adds an auto-assigned, never-reused integer primary key: SQLite AUTOINCREMENT (monotonic even after
 * deletes, which append-only logs rely on), PostgreSQL a bigint identity column.
 */
export function addAutoIdColumn<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  column: string,
  dialect: StoreDialect,
): CreateTableBuilder<T, C> {
  return dialect === 'postgres'
    ? table.addColumn(column, 'bigint', (col) => col.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn(column, 'integer', (col) => col.primaryKey().autoIncrement());
}
