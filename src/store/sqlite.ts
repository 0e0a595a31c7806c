// SQLite adapter (the embedded default): one better-sqlite3 connection behind Kysely.
//
// Pragmas: WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode makes every commit
// durable against a process crash (kill -9) because the commit is in the WAL file once the write
// returns; only an OS crash or power loss can lose the last few commits (never corrupting the file).
// That is the guarantee we make. FULL would fsync the WAL on every commit, costing milliseconds per
// transaction on ordinary disks, for power-loss durability we do not promise.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';
import { runMigrations } from './run-migrations.ts';

/** How long a statement waits for another connection's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

export interface SqliteStoreOptions {
  /** Absolute file path or ':memory:'. */
  path: string;
  logger: Logger;
  migrations: Record<string, Migration>;
}

export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const { path, logger } = opts;
  let raw: BetterSqlite3.Database | undefined;
  let journalMode: string;
  let version: string;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    raw = new BetterSqlite3(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    // The first statement reads the header, so a non-database file fails here.
    journalMode = String(raw.pragma('journal_mode = WAL', { simple: true }));
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    version = String(raw.prepare('select sqlite_version()').pluck().get());
  } catch (cause) {
    raw?.close();
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new OdmError('ODM_ERR_DB_UNAVAILABLE', `cannot open SQLite database ${path}: ${reason}`, {
      details: { path, reason },
      cause,
      retryable: false,
    });
  }
  if (journalMode !== 'wal' && path !== ':memory:') {
    logger.warn({ path, journalMode }, 'SQLite refused WAL mode (network or unusual file system?); writers will block readers');
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    sqlite: raw,
    migrate: () => runMigrations({ db, dialect: 'sqlite', migrations: opts.migrations, logger }),
    probe: async () => {
      if (closed) return { ok: false, detail: 'store closed' };
      try {
        await sql`select 1`.execute(db);
        return { ok: true, detail: `sqlite ${version} (${journalMode})` };
      } catch (err) {
        return { ok: false, detail: `sqlite: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
