import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../config/load-config.ts';
import { describeRoles } from './roles.ts';

const roles = (value?: string) => loadConfig({ mode: 'node', env: value === undefined ? {} : { OPENDIMO_ROLE: value } }).roles;

test('roles: all by default, one, a list, and a clear error for an unknown one', () => {
  assert.deepEqual(roles(), ['api', 'ingest', 'indexer']);
  assert.deepEqual(roles('all'), ['api', 'ingest', 'indexer']);
  assert.deepEqual(roles('ingest'), ['ingest']);
  assert.deepEqual(roles('indexer, API'), ['indexer', 'api']);
  assert.equal(describeRoles(new Set(roles('all'))), 'all');
  assert.equal(describeRoles(new Set(roles('indexer,api'))), 'api,indexer');
  assert.throws(() => roles('api,worker'), (err: Error & { code?: string }) => err.code === 'ODM_ERR_CONFIG_INVALID' && /OPENDIMO_ROLE/.test(err.message));
});
