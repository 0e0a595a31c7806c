// Runs the in-code migrations with Kysely's Migrator, atomically and one process at a time:
// - PostgreSQL: a session advisory lock serialises processes (cluster mode starts several at once; it
//   also covers Kysely's own bookkeeping-table creation, which races without it), and Kysely runs all
//   pending migrations in one transaction. (Not our own transaction around the Migrator: after a
//   failed migration Kysely's lock release would then fail in the aborted transaction and hide which
//   migration failed. Its bookkeeping tables may therefore outlive a failed first run; harmless.)
// - SQLite: Kysely does not wrap SQLite migrations in a transaction, so we hold BEGIN IMMEDIATE around
//   the whole run; a failed migration leaves the schema as it was.
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Kysely } from 'kysely';
import type { Migration, MigrationResultSet } from 'kysely/migration';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from './schema.ts';
import type { MigrateResult, StoreDialect } from './store.ts';

/** Key of the PostgreSQL advisory lock held while migrating ('odmm'); distinct from Kysely's own. */
export const MIGRATION_LOCK_KEY = 0x6f646d6d;

export interface RunMigrationsOptions {
  db: Kysely<Database>;
  dialect: StoreDialect;
  migrations: Record<string, Migration>;
  logger: Logger;
}

export async function runMigrations(opts: RunMigrationsOptions): Promise<MigrateResult> {
  const started = Date.now();
  const result = opts.dialect === 'postgres' ? await migratePostgres(opts) : await migrateSqlite(opts);
  if (result.applied.length > 0) {
    opts.logger.info({ applied: result.applied, ms: Date.now() - started }, 'database migrated');
  }
  return result;
}

async function migratePostgres(opts: RunMigrationsOptions): Promise<MigrateResult> {
  return opts.db.connection().execute(async (conn) => {
    try {
      // Migrations may outlast the pool's statement timeout, and so may waiting for another process.
      await sql`set statement_timeout = 0`.execute(conn);
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) as ok`.execute(conn);
      if (got.rows[0]?.ok !== true) {
        opts.logger.info('another process is migrating the database; waiting for it');
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(conn);
      }
    } catch (err) {
      throw migrationError('(lock)', opts.dialect, err);
    }
    try {
      return toResult(await migrator(conn, opts.migrations).migrateToLatest(), opts.dialect);
    } finally {
      // If the connection broke, the server already dropped the session lock with it.
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(conn).catch(() => undefined);
      await sql`reset statement_timeout`.execute(conn).catch(() => undefined);
    }
  });
}

async function migrateSqlite(opts: RunMigrationsOptions): Promise<MigrateResult> {
  return opts.db.connection().execute(async (conn) => {
    try {
      await sql`begin immediate`.execute(conn);
    } catch (err) {
      throw migrationError('(lock)', opts.dialect, err);
    }
    let result: MigrateResult;
    try {
      result = toResult(await migrator(conn, opts.migrations).migrateToLatest(), opts.dialect);
    } catch (err) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}

function migrator(db: Kysely<Database>, migrations: Record<string, Migration>): Migrator {
  // Migrations are numbered by module (01xx identity, 02xx vault…), so a module's new migration may sort
  // before one an existing database already ran; each is independent of later modules' ones.
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
}

function toResult(set: MigrationResultSet, dialect: StoreDialect): MigrateResult {
  if (set.error !== undefined) {
    const failed = set.results?.find((r) => r.status === 'Error')?.migrationName;
    throw migrationError(failed ?? '(bookkeeping)', dialect, set.error);
  }
  return { applied: (set.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

function migrationError(migration: string, dialect: StoreDialect, cause: unknown): OdmError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const what = migration.startsWith('(') ? `database migration ${migration.slice(1, -1)} step` : `database migration ${migration}`;
  return new OdmError('ODM_ERR_DB_MIGRATION', `${what} failed on ${dialect}: ${reason}; no migration was applied`, {
    details: { migration, dialect, reason },
    cause,
  });
}
