// The advisory-lock lease on a real PostgreSQL: one leader among candidates, take-over within seconds
// when the leader's session dies or it steps down, and a lost connection noticed at once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../../test/support/postgres.ts';
import { silentLogger } from '../core/logger.ts';
import { advisoryKey, createPgLeaderLease, type PgLeaderLease } from './pg-leader-lease.ts';

const server = await startPostgres();

async function until(cond: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - t0;
}

if ('skipped' in server) it('pg leader lease', { skip: server.skipped }, () => undefined);
else describe('pg leader lease', () => {
  const pgServer = server as TestPostgres;
  const leases: PgLeaderLease[] = [];
  const lease = async (url: string, key = 'test:leader') => {
    const l = createPgLeaderLease({ databaseUrl: url, key, logger: silentLogger(), retryMs: 200, checkMs: 200 });
    leases.push(l);
    await l.start();
    return l;
  };
  after(async () => {
    await Promise.allSettled(leases.map((l) => l.stop()));
    await pgServer.stop();
  });

  it('hashes names to stable signed 64-bit keys', () => {
    assert.equal(advisoryKey('a'), advisoryKey('a'));
    assert.notEqual(advisoryKey('a'), advisoryKey('b'));
    const k = advisoryKey('opendimo:leader');
    assert.ok(k >= -(2n ** 63n) && k < 2n ** 63n);
  });

  it('exactly one of two candidates leads; the other takes over when the leader steps down', async () => {
    const url = await pgServer.createDatabase();
    const a = await lease(url);
    const b = await lease(url);
    assert.equal(a.isLeader, true, 'the first candidate leads after its first attempt');
    assert.equal(b.isLeader, false);
    assert.deepEqual(await b.probe(), { ok: true, detail: 'follower (another process leads)' });
    const seen: boolean[] = [];
    b.onChange((v) => seen.push(v));
    await a.stop();
    assert.equal(a.isLeader, false);
    const ms = await until(() => b.isLeader, 10_000);
    assert.ok(ms < 3_000, `took over in ${ms} ms`);
    assert.deepEqual(seen, [true]);
    assert.equal((await a.probe()).ok, false);
  });

  it('a terminated leader session is noticed at once and the other candidate takes over', async () => {
    const url = await pgServer.createDatabase();
    const a = await lease(url);
    const b = await lease(url);
    assert.equal(a.isLeader, true);
    const lost: boolean[] = [];
    a.onChange((v) => lost.push(v));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // The session that holds our advisory lock (objid holds the key's low 32 bits).
      const { rows } = await admin.query<{ pid: number }>(`select pid from pg_locks where locktype = 'advisory' and granted and objid = ($1::bigint & 4294967295)::oid and database = (select oid from pg_database where datname = current_database())`, [String(advisoryKey('test:leader'))]);
      assert.equal(rows.length, 1);
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      const ms = await until(() => b.isLeader, 10_000);
      assert.ok(ms < 5_000, `took over in ${ms} ms`);
      await until(() => lost.length > 0, 2_000);
      assert.deepEqual(lost, [false], 'the old leader was told it lost the lease');
      assert.equal(a.isLeader, false);
      // It reconnects and competes again, without taking the lease from the new leader.
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(a.isLeader, false);
      assert.equal((await a.probe()).ok, true, 'reconnected');
      await b.stop();
      await until(() => a.isLeader, 10_000);
    } finally {
      await admin.end();
    }
  });

  it('different keys are different leases', async () => {
    const url = await pgServer.createDatabase();
    const a = await lease(url, 'x');
    const b = await lease(url, 'y');
    assert.equal(a.isLeader && b.isLeader, true);
  });
});
