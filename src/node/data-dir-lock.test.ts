import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { acquireDataDirLock, LOCK_FILE_NAME } from './data-dir-lock.ts';
import { OdmError } from '../core/errors.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'odm-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the lock holds our pid and is removed on release', (t) => {
  const dir = tempDir(t);
  const lock = acquireDataDirLock(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim(), String(process.pid));
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false);
  lock.release(); // idempotent
});

test('a lock held by a live process is refused with a message naming the lock file', (t) => {
  const dir = tempDir(t);
  // pid 1 is always alive.
  writeFileSync(join(dir, LOCK_FILE_NAME), '1\n');
  assert.throws(
    () => acquireDataDirLock(dir),
    (err: unknown) =>
      err instanceof OdmError && err.code === 'ODM_ERR_DATA_DIR_LOCKED' && err.message.includes(join(dir, LOCK_FILE_NAME)) && err.message.includes('pid 1'),
  );
  assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim(), '1', 'the other node keeps its lock');
});

test('a lock left by a crashed process is taken over', (t) => {
  const dir = tempDir(t);
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(child.stdout.toString());
  writeFileSync(join(dir, LOCK_FILE_NAME), `${deadPid}\n`);
  const lock = acquireDataDirLock(dir);
  assert.equal(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim(), String(process.pid));
  lock.release();
});
