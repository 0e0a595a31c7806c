import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOdmError } from '../core/errors.ts';
import { maskDatabaseUrl, resolveDatabaseUrl } from './database-url.ts';

const dir = '/var/lib/opendimo';

test('no URL, sqlite: forms and bare paths resolve to a SQLite file', () => {
  assert.deepEqual(resolveDatabaseUrl(undefined, dir), { kind: 'sqlite', path: '/var/lib/opendimo/opendimo.db' });
  assert.deepEqual(resolveDatabaseUrl('  ', dir), { kind: 'sqlite', path: '/var/lib/opendimo/opendimo.db' });
  assert.deepEqual(resolveDatabaseUrl('sqlite:', dir), { kind: 'sqlite', path: '/var/lib/opendimo/opendimo.db' });
  assert.deepEqual(resolveDatabaseUrl('sqlite:/srv/x.db', dir), { kind: 'sqlite', path: '/srv/x.db' });
  assert.deepEqual(resolveDatabaseUrl('sqlite:///srv/x.db', dir), { kind: 'sqlite', path: '/srv/x.db' });
  assert.deepEqual(resolveDatabaseUrl('sqlite:x.db', dir), { kind: 'sqlite', path: '/var/lib/opendimo/x.db' });
  assert.deepEqual(resolveDatabaseUrl('/srv/y.db', dir), { kind: 'sqlite', path: '/srv/y.db' });
  assert.deepEqual(resolveDatabaseUrl('sub/y.db', dir), { kind: 'sqlite', path: '/var/lib/opendimo/sub/y.db' });
  assert.deepEqual(resolveDatabaseUrl('sqlite::memory:', dir), { kind: 'sqlite', path: ':memory:' });
});

test('postgres:// and postgresql:// resolve to PostgreSQL unchanged', () => {
  for (const url of ['postgres://u:p@db:5432/odm', 'postgresql://db/odm?sslmode=require']) {
    assert.deepEqual(resolveDatabaseUrl(url, dir), { kind: 'postgres', url });
  }
});

test('an unsupported scheme is ODM_ERR_CONFIG_INVALID naming the scheme', () => {
  assert.throws(() => resolveDatabaseUrl('mysql://root:hunter2@db/odm', dir), (err) => {
    assert.ok(isOdmError(err));
    assert.equal(err.code, 'ODM_ERR_CONFIG_INVALID');
    assert.match(err.message, /"mysql:"/);
    assert.doesNotMatch(err.message + JSON.stringify(err.details), /hunter2/);
    return true;
  });
});

test('a malformed postgres URL is ODM_ERR_CONFIG_INVALID without echoing it', () => {
  assert.throws(() => resolveDatabaseUrl('postgres://u:pa ss%zz@[bad/odm', dir), (err) => {
    assert.ok(isOdmError(err));
    assert.equal(err.code, 'ODM_ERR_CONFIG_INVALID');
    assert.doesNotMatch(err.message + JSON.stringify(err.details), /pa ss/);
    assert.equal(err.cause, undefined);
    return true;
  });
});

test('maskDatabaseUrl hides passwords in userinfo and parameters, and keeps the rest', () => {
  assert.equal(maskDatabaseUrl('postgres://odm:s3cr%40t@db.example:5432/odm'), 'postgres://odm:***@db.example:5432/odm');
  assert.equal(maskDatabaseUrl('postgres://db/odm?user=a&password=s3cret'), 'postgres://db/odm?user=a&password=***');
  assert.equal(maskDatabaseUrl('postgres://odm@db/odm'), 'postgres://odm@db/odm');
  assert.equal(maskDatabaseUrl('postgres://odm:s3cret@[bad/odm'), 'postgres://odm:***@[bad/odm');
});
