import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { withFileLock } from './file-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'opendimo-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('runs the function holding the lock, and releases it after (also when it throws)', () => {
  const path = join(dir, 'a.json');
  assert.equal(withFileLock(path, () => existsSync(`${path}.lock`)), true);
  assert.equal(existsSync(`${path}.lock`), false);
  assert.throws(() => withFileLock(path, () => { throw new Error('boom'); }), /boom/);
  assert.equal(existsSync(`${path}.lock`), false);
});

it('waits for a live holder, and gives up after the timeout', () => {
  const path = join(dir, 'b.json');
  writeFileSync(`${path}.lock`, `${hostname()} ${process.ppid} held`);
  assert.throws(() => withFileLock(path, () => 1, { timeoutMs: 200 }), { code: 'ODM_ERR_VAULT_KEYRING' });
  assert.ok(existsSync(`${path}.lock`), 'a live holder keeps its lock');
});

it('takes over a lock left by a crashed process on this host, or held longer than staleMs', () => {
  const dead = join(dir, 'c.json');
  writeFileSync(`${dead}.lock`, `${hostname()} 2147483646 crashed`);
  assert.equal(withFileLock(dead, () => 'ran', { timeoutMs: 1_000 }), 'ran');
  const stale = join(dir, 'd.json');
  writeFileSync(`${stale}.lock`, 'elsewhere 1 held');
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${stale}.lock`, old, old);
  assert.equal(withFileLock(stale, () => 'ran', { staleMs: 30_000, timeoutMs: 1_000 }), 'ran');
  assert.equal(existsSync(`${stale}.lock`), false);
});
