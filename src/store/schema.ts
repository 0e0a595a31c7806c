// Kysely table types for everything the store holds. Each module that adds a table adds its interface
// here and a migration under ./migrations; the two must agree. Conventions that keep both dialects
// returning the same JS values: times are bigint epoch milliseconds (read back as number), bytes are
// Buffer, JSON is stored and read back as a JSON string, booleans are integer 0/1.
import type { ColumnType } from 'kysely';

/** Small key/value facts about this node: its id, first-start time, schema facts. */
export interface NodeMetaTable {
  key: string;
  value: string;
  /** Epoch milliseconds of the last write. */
  updated_at: number;
}

/** Kysely's migration bookkeeping; read-only for the application. */
export interface KyselyMigrationTable {
  name: ColumnType<string, never, never>;
  /** ISO-8601 time the migration ran. */
  timestamp: ColumnType<string, never, never>;
}

export interface KyselyMigrationLockTable {
  id: ColumnType<string, never, never>;
  is_locked: ColumnType<number, never, never>;
}

export interface Database {
  node_meta: NodeMetaTable;
  kysely_migration: KyselyMigrationTable;
  kysely_migration_lock: KyselyMigrationLockTable;
}
