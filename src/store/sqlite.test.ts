// SQLite specifics: the pragmas we promise, the file location, persistence and unusable files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { silentLogger } from '../core/logger.ts';
import { openStore } from './open-store.ts';

const logger = silentLogger();
const root = mkdtempSync(join(tmpdir(), 'opendimo-sqlite-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

async function pragma(db: Kysely<any>, name: string): Promise<unknown> {
  const res = await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db);
  return Object.values(res.rows[0] ?? {})[0];
}

test('default location is <dataDir>/opendimo.db (created with missing parents) in WAL mode with our pragmas', async () => {
  const dataDir = join(freshDir(), 'nested');
  const store = await openStore({ dataDir, logger });
  try {
    assert.equal(existsSync(join(dataDir, 'opendimo.db')), true);
    assert.equal(await pragma(store.db, 'journal_mode'), 'wal');
    assert.equal(await pragma(store.db, 'synchronous'), 1, 'NORMAL');
    assert.equal(await pragma(store.db, 'foreign_keys'), 1);
    assert.equal(await pragma(store.db, 'busy_timeout'), 5000);
  } finally {
    await store.close();
  }
});

test('data survives close and reopen of the same file (sqlite: URL form)', async () => {
  const dataDir = freshDir();
  const databaseUrl = `sqlite:${join(dataDir, 'other.db')}`;
  const first = await openStore({ dataDir, databaseUrl, logger });
  await first.db.insertInto('node_meta').values({ key: 'node_id', value: 'abc', updated_at: Date.UTC(2026, 0, 1) }).execute();
  await first.close();
  assert.equal(existsSync(join(dataDir, 'other.db')), true);
  const second = await openStore({ dataDir, databaseUrl, logger });
  try {
    const row = await second.db.selectFrom('node_meta').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(row, { key: 'node_id', value: 'abc', updated_at: Date.UTC(2026, 0, 1) });
    assert.equal(typeof row.updated_at, 'number');
  } finally {
    await second.close();
  }
});

test('in-memory SQLite works and reports its journal mode', async () => {
  const store = await openStore({ dataDir: freshDir(), databaseUrl: 'sqlite::memory:', logger });
  try {
    const check = await store.probe();
    assert.equal(check.ok, true);
    assert.match(check.detail, /^sqlite 3\.\d+\.\d+ \(memory\)$/);
  } finally {
    await store.close();
  }
});

test('a file that is not a database is ODM_ERR_DB_UNAVAILABLE naming the file', async () => {
  const dataDir = freshDir();
  const path = join(dataDir, 'opendimo.db');
  const store = await openStore({ dataDir, logger, migrate: false });
  await store.close();
  writeFileSync(path, 'this is not a database, just some text that is long enough to have a header........');
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
  await assert.rejects(openStore({ dataDir, logger }), (err: any) => {
    assert.equal(err.code, 'ODM_ERR_DB_UNAVAILABLE');
    assert.match(err.message, /opendimo\.db/);
    assert.equal(err.details.path, path);
    return true;
  });
});
