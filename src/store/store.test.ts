// The Store contract, run against real SQLite and real PostgreSQL.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { describeBothStores } from '../../test/support/postgres.ts';
import { isOdmError } from '../core/errors.ts';
import { migrations } from './migrations/index.ts';

async function tableNames(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.map((t) => t.name).sort();
}

/** The real migrations plus one that takes a while, so concurrent runs overlap. */
function slowMigrations(): Record<string, Migration> {
  return {
    ...migrations,
    '9001_slow': {
      up: async (db) => {
        await new Promise((r) => setTimeout(r, 300));
        await db.schema.createTable('t_slow').addColumn('x', 'integer').execute();
      },
    },
  };
}

describeBothStores('store', (target) => {
  it('opens and migrates: creates node_meta and the bookkeeping tables', async () => {
    const store = await target.open();
    assert.equal(store.dialect, target.dialect);
    // Other modules add their own tables; the store's own are always there.
    const tables = await tableNames(store.db);
    for (const name of ['kysely_migration', 'kysely_migration_lock', 'node_meta']) assert.ok(tables.includes(name), `${name} in ${tables}`);
    const ran = await store.db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
    assert.deepEqual(ran.map((r) => r.name), Object.keys(migrations).sort());
  });

  it('migrate:false leaves the database empty; migrate() applies everything once', async () => {
    const store = await target.open({ migrate: false });
    assert.deepEqual(await tableNames(store.db), []);
    assert.deepEqual(await store.migrate(), { applied: Object.keys(migrations).sort() });
    assert.deepEqual(await store.migrate(), { applied: [] });
  });

  it('probe reports ok with dialect and version, and not ok once closed', async () => {
    const store = await target.open();
    const check = await store.probe();
    assert.equal(check.ok, true);
    assert.match(check.detail, target.dialect === 'sqlite' ? /^sqlite 3\.\d+\.\d+ \(wal\)$/ : /^postgres \d+(\.\d+)*$/);
    await store.close();
    await store.close(); // idempotent
    assert.deepEqual(await store.probe(), { ok: false, detail: 'store closed' });
  });

  it('keeps data across close and reopen', async () => {
    const where = await target.fresh();
    const first = await target.open(where);
    await first.db.insertInto('node_meta').values({ key: 'k', value: 'v', updated_at: 1 }).execute();
    await first.close();
    const again = await target.open(where);
    assert.deepEqual(await again.migrate(), { applied: [] });
    assert.deepEqual(await again.db.selectFrom('node_meta').selectAll().execute(), [{ key: 'k', value: 'v', updated_at: 1 }]);
  });

  it('a failing migration names itself and rolls back the whole run', async () => {
    const where = await target.fresh();
    const store = await target.open({
      ...where,
      migrations: {
        ...migrations,
        '9001_good': { up: (db) => db.schema.createTable('t_good').addColumn('x', 'integer').execute() },
        '9002_bad': { up: async (db) => void (await sql`select * from no_such_table`.execute(db)) },
      },
      migrate: false,
    });
    await assert.rejects(store.migrate(), (err) => {
      assert.ok(isOdmError(err));
      assert.equal(err.code, 'ODM_ERR_DB_MIGRATION');
      assert.equal(err.details.migration, '9002_bad');
      assert.match(err.message, /9002_bad/);
      return true;
    });
    // Kysely's bookkeeping tables may remain (PostgreSQL creates them before its transaction); nothing else.
    const left = (await tableNames(store.db)).filter((t) => !t.startsWith('kysely_'));
    assert.deepEqual(left, [], 'no table from the failed run remains');
    if ((await tableNames(store.db)).includes('kysely_migration')) {
      assert.deepEqual(await store.db.selectFrom('kysely_migration').select('name').execute(), []);
    }
    // Fixed code migrates the same database cleanly afterwards.
    const fixed = await target.open({ ...where, migrate: false });
    assert.deepEqual(await fixed.migrate(), { applied: Object.keys(migrations).sort() });
  });

  it('a module\'s new migration that sorts before ones already applied still runs on an existing database', async () => {
    const where = await target.fresh();
    const names = Object.keys(migrations).sort();
    const middle = names[Math.floor(names.length / 2)]!;
    const without = Object.fromEntries(Object.entries(migrations).filter(([name]) => name !== middle));
    const old = await target.open({ ...where, migrations: without });
    await old.close();
    const upgraded = await target.open({ ...where, migrate: false });
    assert.deepEqual(await upgraded.migrate(), { applied: [middle] });
  });

  it('openStore fails with ODM_ERR_DB_MIGRATION and closes the store when migrating fails', async () => {
    await assert.rejects(
      target.open({ migrations: { '0001_bad': { up: async (db) => void (await sql`select nope`.execute(db)) } } }),
      { code: 'ODM_ERR_DB_MIGRATION' },
    );
  });

  it('concurrent migrate() calls on one store apply each migration once', async () => {
    const store = await target.open({ migrations: slowMigrations(), migrate: false });
    const results = await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
    assert.deepEqual(results.flatMap((r) => r.applied).sort(), Object.keys(slowMigrations()).sort());
  });

  // Two pools stand for two node processes in cluster mode. (Not for SQLite: better-sqlite3 is
  // synchronous, so two connections in one thread deadlock on the write lock; one process owns the file.)
  it('two stores migrating the same database at once both succeed, applying each migration once', { skip: target.dialect === 'sqlite' && 'one SQLite store per process' }, async () => {
    const where = await target.fresh();
    const a = await target.open({ ...where, migrations: slowMigrations(), migrate: false });
    const b = await target.open({ ...where, migrations: slowMigrations(), migrate: false });
    const [ra, rb] = await Promise.all([a.migrate(), b.migrate()]);
    assert.deepEqual([...ra.applied, ...rb.applied].sort(), Object.keys(slowMigrations()).sort());
    assert.ok(ra.applied.length === 0 || rb.applied.length === 0, 'one process did all the work');
  });
});
