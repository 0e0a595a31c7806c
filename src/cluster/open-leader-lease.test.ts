// Which lease a node gets: the advisory-lock lease for indexers on PostgreSQL, a fixed answer otherwise.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.ts';
import { silentLogger } from '../core/logger.ts';
import { openStore } from '../store/open-store.ts';
import { makeTempDir } from '../chain/testing.ts';
import { openLeaderLease } from './open-leader-lease.ts';
import type { Role } from './roles.ts';

const server = await startPostgres();
const logger = silentLogger();
const roles = (...r: Role[]) => new Set<Role>(r);

it('SQLite: leads exactly when it has the indexer role', async () => {
  const temp = await makeTempDir('lease');
  const store = await openStore({ dataDir: temp.dir, logger });
  try {
    const all = await openLeaderLease({ roles: roles('api', 'ingest', 'indexer'), store, databaseUrl: undefined, dataDir: temp.dir, logger });
    assert.equal(all.isLeader, true);
    const api = await openLeaderLease({ roles: roles('api'), store, databaseUrl: undefined, dataDir: temp.dir, logger });
    assert.equal(api.isLeader, false);
  } finally {
    await store.close();
    await temp.cleanup();
  }
});

if ('skipped' in server) it('PostgreSQL lease', { skip: server.skipped }, () => undefined);
else describe('PostgreSQL lease', () => {
  const pgServer = server as TestPostgres;
  after(() => pgServer.stop());

  it('indexers compete for one lease; the first leads from the start', async () => {
    const url = await pgServer.createDatabase();
    const store = await openStore({ dataDir: pgServer.dir, logger, databaseUrl: url });
    const first = await openLeaderLease({ roles: roles('indexer'), store, databaseUrl: url, dataDir: pgServer.dir, logger });
    const second = await openLeaderLease({ roles: roles('api', 'indexer'), store, databaseUrl: url, dataDir: pgServer.dir, logger });
    const api = await openLeaderLease({ roles: roles('api', 'ingest'), store, databaseUrl: url, dataDir: pgServer.dir, logger });
    try {
      assert.equal(first.isLeader, true);
      assert.deepEqual(await first.probe(), { ok: true, detail: 'leader' });
      assert.equal(second.isLeader, false);
      assert.equal(api.isLeader, false);
      assert.match((await api.probe()).detail, /no indexer role/);
    } finally {
      await Promise.all([first.stop(), second.stop(), api.stop()]);
      await store.close();
    }
  });
});
