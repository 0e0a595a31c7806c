import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadOrCreateKek, KEK_BYTES } from './kek-file.ts';
import { OdmError } from '../core/errors.ts';

test('the key is created once, owner-only, and read back unchanged', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odm-kek-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'keys', 'kek.key');
  const first = loadOrCreateKek(path);
  assert.equal(first.length, KEK_BYTES);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(loadOrCreateKek(path), first);
  chmodSync(path, 0o644);
  loadOrCreateKek(path);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'a loosened file is tightened');
});

test('a damaged key file is refused rather than replaced', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'odm-kek-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kek.key');
  writeFileSync(path, 'c2hvcnQ=\n', { mode: 0o600 });
  assert.throws(() => loadOrCreateKek(path), (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONFIG_INVALID');
});
