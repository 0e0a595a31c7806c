// Opens the configured database (SQLite in the data dir by default, PostgreSQL by URL) and, unless
// told otherwise, brings its schema up to date.
import type { Migration } from 'kysely/migration';
import type { Logger } from '../core/logger.ts';
import { maskDatabaseUrl, resolveDatabaseUrl } from './database-url.ts';
import { migrations as allMigrations } from './migrations/index.ts';
import { openPostgresStore } from './postgres.ts';
import type { PostgresPoolOptions } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /** Unset, `sqlite:…` or a path → SQLite; `postgres://…` / `postgresql://…` → PostgreSQL. */
  databaseUrl?: string;
  /** Home of the default SQLite file `<dataDir>/opendimo.db` and of relative SQLite paths. */
  dataDir: string;
  logger: Logger;
  /** Apply pending migrations before returning; default true. */
  migrate?: boolean;
  /** PostgreSQL pool tuning; ignored for SQLite. */
  pool?: PostgresPoolOptions;
  /** Replaces the migration list; for tests of the migration machinery only. */
  migrations?: Record<string, Migration>;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const target = resolveDatabaseUrl(opts.databaseUrl, opts.dataDir);
  const migrations = opts.migrations ?? allMigrations;
  const logger = opts.logger;
  const store =
    target.kind === 'sqlite'
      ? await openSqliteStore({ path: target.path, logger, migrations })
      : await openPostgresStore({ url: target.url, logger, migrations, ...(opts.pool ? { pool: opts.pool } : {}) });
  if (opts.migrate ?? true) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }
  const where = target.kind === 'sqlite' ? target.path : maskDatabaseUrl(target.url);
  logger.info({ dialect: store.dialect, database: where }, 'store opened');
  return store;
}
