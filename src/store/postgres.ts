// PostgreSQL adapter (production): a pg Pool behind Kysely. The URL is a secret (it may hold a
// password): logs and errors only ever show maskDatabaseUrl(url).
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { maskDatabaseUrl, scrubPassword } from './database-url.ts';
import type { Database } from './schema.ts';
import type { Store } from './store.ts';
import { runMigrations } from './run-migrations.ts';

export interface PostgresPoolOptions {
  /** Connections per process; default 10 (a cluster of N processes uses up to N × max). */
  max?: number;
  /** Give up connecting after this long; default 5000 ms. */
  connectTimeoutMs?: number;
  /** Server-side cap on any one statement; default 30000 ms (migrations lift it). */
  statementTimeoutMs?: number;
}

export interface PostgresStoreOptions {
  url: string;
  logger: Logger;
  migrations: Record<string, Migration>;
  pool?: PostgresPoolOptions;
}

const INT8_OID = 20;
const JSON_OIDS = new Set([114, 3802]);

/**
 * Per-pool type parsing (pg.types.setTypeParser would change every pg user in the process):
 * int8 → number, as better-sqlite3 returns (beyond 2^53 → bigint rather than a silently wrong number);
 * json/jsonb → the raw string, as SQLite's text column returns.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && oid === INT8_OID) return parseInt8;
    if (format !== 'binary' && JSON_OIDS.has(oid)) return (text: string) => text;
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function parseInt8(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

export async function openPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const { url, logger } = opts;
  const masked = maskDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.pool?.max ?? 10,
    connectionTimeoutMillis: opts.pool?.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.pool?.statementTimeoutMs ?? 30_000,
    application_name: 'opendimo',
    types,
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (err) => logger.warn({ database: masked, reason: err.message }, 'idle PostgreSQL connection failed'));
  // pg only listens on idle clients: a connection the server ends while checked out (a restart mid-
  // transaction) emits 'error' on the client, which would crash the process. The query in flight fails
  // on its own, and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ database: masked, reason: err.message }, 'PostgreSQL connection failed')));

  let version: string;
  try {
    const client = await pool.connect();
    try {
      const res = await client.query<{ server_version: string }>('show server_version');
      version = res.rows[0]?.server_version.split(' ')[0] ?? 'unknown';
    } finally {
      client.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw unavailable(masked, url, cause);
  }

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    migrate: () => runMigrations({ db, dialect: 'postgres', migrations: opts.migrations, logger }),
    probe: async () => {
      if (closed) return { ok: false, detail: 'store closed' };
      try {
        await sql`select 1`.execute(db);
        return { ok: true, detail: `postgres ${version}` };
      } catch (err) {
        return { ok: false, detail: `postgres: ${scrubPassword(err instanceof Error ? err.message : String(err), url)}` };
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

// SQLSTATE classes where retrying cannot help: bad credentials, missing database, bad parameters.
const PERMANENT = new Set(['28000', '28P01', '3D000', '42704', '22023']);

function unavailable(masked: string, url: string, cause: unknown): OdmError {
  const code = (cause as { code?: unknown } | null)?.code;
  const raw = cause instanceof Error ? cause.message || String(code ?? cause.name) : String(cause);
  const reason = scrubPassword(raw, url);
  const retryable = !(typeof code === 'string' && PERMANENT.has(code));
  return new OdmError('ODM_ERR_DB_UNAVAILABLE', `cannot connect to PostgreSQL at ${masked}: ${reason}`, {
    details: { url: masked, reason, ...(typeof code === 'string' ? { code } : {}) },
    cause,
    retryable,
  });
}
