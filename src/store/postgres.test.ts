// PostgreSQL specifics against a real server: value types match SQLite's, timeouts, the migration lock,
// and a server that goes away.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.ts';
import { silentLogger } from '../core/logger.ts';
import { openStore } from './open-store.ts';
import { MIGRATION_LOCK_KEY } from './run-migrations.ts';
import { migrations as allMigrations } from './migrations/index.ts';
import type { Store } from './store.ts';

const server = await startPostgres();
const logger = silentLogger();

if ('skipped' in server) it('postgres store', { skip: server.skipped }, () => undefined);
else describe('postgres store', () => {
  const pgServer = server as TestPostgres;
  const stores: Store[] = [];
  /** A store on a new database, and that database's URL. */
  const open = async (opts: { statementTimeoutMs?: number; migrate?: boolean; migrations?: Record<string, Migration>; url?: string } = {}) => {
    const url = opts.url ?? (await pgServer.createDatabase());
    const store = await openStore({
      dataDir: pgServer.dir,
      logger,
      databaseUrl: url,
      migrate: opts.migrate ?? true,
      ...(opts.migrations ? { migrations: opts.migrations } : {}),
      pool: { statementTimeoutMs: opts.statementTimeoutMs ?? 30_000 },
    });
    stores.push(store);
    return { store, url };
  };
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    await pgServer.stop();
  });

  it('reads bigint as number and json as its string, like SQLite', async () => {
    const { store } = await open();
    const { rows } = await sql<{ big: unknown; huge: unknown; doc: unknown; n: unknown }>`
      select 1767225600000::bigint as big, 9007199254740993::bigint as huge,
             '{"a": [1, 2]}'::jsonb as doc, count(*) as n from node_meta`.execute(store.db);
    assert.deepEqual(rows, [{ big: 1767225600000, huge: 9007199254740993n, doc: '{"a": [1, 2]}', n: 0 }]);
  });

  it('the pool applies the statement timeout', async () => {
    const { store } = await open({ statementTimeoutMs: 200 });
    await assert.rejects(sql`select pg_sleep(2)`.execute(store.db), /statement timeout/);
  });

  it('migrations are not cut off by the statement timeout', async () => {
    const migrations = { '0001_slow': { up: async (db: Kysely<any>) => void (await sql`select pg_sleep(0.4)`.execute(db)) } };
    const { store: slow } = await open({ statementTimeoutMs: 200, migrations });
    // ...and the timeout is back in force for the connection the migration used.
    await assert.rejects(sql`select pg_sleep(1)`.execute(slow.db), /statement timeout/);
  });

  it('migrate() waits while another process holds the migration lock', async () => {
    const { store, url } = await open({ migrate: false });
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    let done = false;
    const migrating = store.migrate().then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(done, false, 'still waiting for the lock');
    await other.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await other.end();
    assert.deepEqual((await migrating).applied, Object.keys(allMigrations).sort());
  });

  it('reports not ok once the server is gone, without throwing', async () => {
    const own = await startPostgres();
    assert.ok(!('skipped' in own));
    const store = await openStore({ dataDir: own.dir, logger, databaseUrl: own.url });
    stores.push(store);
    assert.equal((await store.probe()).ok, true);
    await own.stop();
    const check = await store.probe();
    assert.equal(check.ok, false);
    assert.match(check.detail, /^postgres: /);
  });
});
