// The PostgreSQL test harness itself: it starts a real server, serves connections, and leaves
// nothing behind when stopped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { findPostgresBinDir, POSTGRES_NOT_INSTALLED, startPostgres } from './postgres.ts';

test('starts a server, serves two isolated databases, stops and removes its temp dir', async (t) => {
  const started = Date.now();
  const server = await startPostgres();
  if ('skipped' in server) return t.skip(server.skipped);
  t.after(() => server.stop());
  t.diagnostic(`started in ${Date.now() - started} ms`);

  assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/opendimo_test$/);
  assert.equal(existsSync(server.dir), true);
  const other = await server.createDatabase();
  assert.notEqual(other, server.url);

  const a = new pg.Client({ connectionString: server.url });
  await a.connect();
  await a.query('create table only_here (x int)');
  const { rows } = await a.query<{ db: string; enc: string }>('select current_database() as db, pg_encoding_to_char(encoding) as enc from pg_database where datname = current_database()');
  assert.deepEqual(rows, [{ db: 'opendimo_test', enc: 'UTF8' }]);
  await a.end();

  const b = new pg.Client({ connectionString: other });
  await b.connect();
  const seen = await b.query("select count(*)::int as n from pg_tables where tablename = 'only_here'");
  assert.equal(seen.rows[0].n, 0);
  await b.end();

  await server.stop();
  await server.stop(); // idempotent
  assert.equal(existsSync(server.dir), false);
  const c = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
  await assert.rejects(c.connect());
});

test('finds binaries on PATH first, then the highest /usr/lib/postgresql/<version>/bin', () => {
  const root = mkdtempSync(join(tmpdir(), 'opendimo-pgbin-test-'));
  try {
    const fake = (dir: string) => {
      mkdirSync(dir, { recursive: true });
      for (const b of ['initdb', 'postgres']) writeFileSync(join(dir, b), '#!/bin/sh\n', { mode: 0o755 });
    };
    for (const v of ['9.6', '13', '16']) fake(join(root, 'lib', v, 'bin'));
    mkdirSync(join(root, 'lib', '17', 'bin'), { recursive: true }); // client-only install: no server
    fake(join(root, 'onpath'));
    assert.equal(findPostgresBinDir(`/nonexistent${delimiter}${join(root, 'onpath')}`, join(root, 'lib')), join(root, 'onpath'));
    assert.equal(findPostgresBinDir('/nonexistent', join(root, 'lib')), join(root, 'lib', '16', 'bin'));
    assert.equal(findPostgresBinDir('', join(root, 'missing')), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('without binaries it skips with the reason, but throws under CI=true', async () => {
  const saved = process.env.CI;
  try {
    delete process.env.CI;
    assert.deepEqual(await startPostgres({ findBinDir: () => undefined }), { skipped: POSTGRES_NOT_INSTALLED });
    process.env.CI = 'true';
    await assert.rejects(startPostgres({ findBinDir: () => undefined }), /not installed.*CI must run/);
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
});

test('the server does not outlive its test process, whether it exits or is killed', async (t) => {
  if (findPostgresBinDir() === undefined) return t.skip(POSTGRES_NOT_INSTALLED);
  const child = (how: 'exit' | 'kill') =>
    new Promise<{ dir: string; pid: number }>((resolve, reject) => {
      const code = `
        const { startPostgres } = await import(${JSON.stringify(new URL('./postgres.ts', import.meta.url).href)});
        const s = await startPostgres();
        const { readFileSync } = await import('node:fs');
        const pid = Number(readFileSync(s.dir + '/data/postmaster.pid', 'utf8').split('\\n')[0]);
        console.log(JSON.stringify({ dir: s.dir, pid }));
        ${how === 'exit' ? 'process.exit(0);' : 'setInterval(() => {}, 1000);'}`;
      const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      proc.stdout.once('data', (line: Buffer) => {
        const info = JSON.parse(line.toString());
        if (how === 'kill') proc.kill('SIGKILL');
        proc.once('exit', () => resolve(info));
      });
      proc.once('error', reject);
    });
  const gone = async ({ dir, pid }: { dir: string; pid: number }) => {
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      if (!alive(pid) && !existsSync(dir)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  const [exited, killed] = await Promise.all([child('exit'), child('kill')]);
  assert.equal(await gone(exited), true, 'server and dir gone after the test process exited');
  assert.equal(await gone(killed), true, 'server and dir gone after the test process was killed');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
