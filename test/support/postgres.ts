// A throwaway PostgreSQL server for tests, and a helper that runs one suite against SQLite and
// PostgreSQL. The server itself is the cluster harness's (src/cluster/harness/postgres-process.ts): a
// fresh temp dir (initdb, trust auth, fsync off) on a free loopback port; one per test file, with a new
// database per test for isolation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findPostgresBinDir, startPostgresProcess } from '../../src/cluster/harness/postgres-process.ts';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { openStore, type OpenStoreOptions } from '../../src/store/open-store.ts';
import type { Store, StoreDialect } from '../../src/store/store.ts';

export { findPostgresBinDir };

export interface TestPostgres {
  /** URL of an empty database `opendimo_test` (user postgres, no password). */
  url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(): Promise<string>;
  /** Temp dir holding the cluster and its socket; gone after stop(). */
  dir: string;
  /** Fast shutdown, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export const POSTGRES_NOT_INSTALLED = 'PostgreSQL server not installed (apt-get install postgresql)';

export interface StartPostgresOptions {
  logger?: Logger;
  /** Where the server binaries are; defaults to findPostgresBinDir. Tests of the harness override it. */
  findBinDir?: () => string | undefined;
}

/**
 * Starts a throwaway server, or reports why it cannot: `{ skipped }` when PostgreSQL is not
 * installed — except under CI=true, where that throws (CI must run the PostgreSQL half).
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<TestPostgres | { skipped: string }> {
  const findBinDir = opts.findBinDir ?? findPostgresBinDir;
  if (findBinDir() === undefined) {
    if (process.env.CI === 'true') throw new Error(`${POSTGRES_NOT_INSTALLED}; CI must run the PostgreSQL tests`);
    return { skipped: POSTGRES_NOT_INSTALLED };
  }
  const server = await startPostgresProcess({ findBinDir, database: 'opendimo_test', ...(opts.logger ? { logger: opts.logger } : {}) });
  return { url: server.url, createDatabase: () => server.createDatabase(), dir: server.dir, stop: server.stop };
}

// ---------------------------------------------------------------------------------------------------
// Running one suite against both stores.

export interface StoreTarget {
  dialect: StoreDialect;
  /** A fresh, empty database: a new temp data dir, and for PostgreSQL a new database on this file's server. */
  fresh(): Promise<{ databaseUrl: string | undefined; dataDir: string }>;
  /**
   * openStore (migrated unless `migrate: false`) on a fresh database; any option given wins, so pass
   * the dataDir (and for PostgreSQL the databaseUrl) of an earlier store to reopen it. Stores and
   * temp dirs are cleaned up after the suite.
   */
  open(opts?: Partial<OpenStoreOptions>): Promise<Store>;
}

let shared: Promise<TestPostgres | { skipped: string }> | undefined;
let sharedUsers = 0;

/** One server per test file, started on first use and stopped when the last suite using it ends. */
async function acquireSharedPostgres(): Promise<TestPostgres | { skipped: string }> {
  sharedUsers++;
  shared ??= startPostgres();
  return shared;
}

async function releaseSharedPostgres(): Promise<void> {
  if (--sharedUsers > 0 || shared === undefined) return;
  const server = await shared;
  shared = undefined;
  if (!('skipped' in server)) await server.stop();
}

/**
 * Declares `describe(name)` with two halves, `sqlite` and `postgres`, each calling `fn` with a target.
 * Where PostgreSQL is not installed (and CI is not set) the postgres half shows as skipped with why.
 */
export function describeBothStores(name: string, fn: (target: StoreTarget) => void): void {
  describe(name, async () => {
    describe('sqlite', () => fn(makeTarget('sqlite', undefined)));
    const server = await acquireSharedPostgres();
    after(releaseSharedPostgres);
    describe('postgres', () => {
      // A skipped test (not just a skipped suite) so the run's closing "skipped" count shows it.
      if ('skipped' in server) it(`every ${name} case`, { skip: server.skipped }, () => undefined);
      else fn(makeTarget('postgres', server));
    });
  });
}

function makeTarget(dialect: StoreDialect, server: TestPostgres | undefined): StoreTarget {
  const dirs: string[] = [];
  const stores: Store[] = [];
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  });
  const fresh = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), `opendimo-${dialect}-`));
    dirs.push(dataDir);
    return { dataDir, databaseUrl: server ? await server.createDatabase() : undefined };
  };
  return {
    dialect,
    fresh,
    open: async (opts = {}) => {
      const hasUrl = 'databaseUrl' in opts;
      const made = opts.dataDir === undefined || !hasUrl ? await fresh() : undefined;
      const databaseUrl = hasUrl ? opts.databaseUrl : made?.databaseUrl;
      const store = await openStore({
        logger: silentLogger(),
        ...opts,
        dataDir: opts.dataDir ?? made?.dataDir ?? '',
        ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      });
      stores.push(store);
      return store;
    },
  };
}
