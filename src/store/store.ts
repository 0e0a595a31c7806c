// The one handle the rest of the node gets on its database, whichever engine sits behind it.
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { HealthProbe } from '../core/health.ts';
import type { Database } from './schema.ts';
import type { StoreDialect } from './migrations/types.ts';

export type { StoreDialect };

export interface MigrateResult {
  /** Names of the migrations this call applied, in order; empty when the schema was current. */
  applied: string[];
}

export interface Store {
  dialect: StoreDialect;
  db: Kysely<Database>;
  /**
   * SQLite only: the better-sqlite3 handle under `db`, for hot paths that run many statements in one
   * synchronous transaction (ingest's group commit). Use it only inside `db.connection().execute(…)`,
   * which holds Kysely's connection lock, so no Kysely transaction is open on the handle meanwhile.
   */
  sqlite?: BetterSqlite3.Database;
  /** Applies pending migrations atomically; safe to call concurrently from several processes. */
  migrate(): Promise<MigrateResult>;
  /** `select 1`; detail like `sqlite 3.50.4 (wal)` or `postgres 15.14`. Never throws. */
  probe: HealthProbe;
  /** Idempotent. After close the probe reports not ok. */
  close(): Promise<void>;
}
