import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OdmError, toOdmError } from './errors.ts';

test('codes carry their status and retryability; overrides win', () => {
  const e = new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', 'chain down', { details: { rpc: 'x' } });
  assert.equal(e.status, 503);
  assert.equal(e.retryable, true);
  assert.deepEqual(e.toJSON(), { code: 'ODM_ERR_CHAIN_UNAVAILABLE', message: 'chain down', details: { rpc: 'x' } });
  const custom = new OdmError('ODM_ERR_SIGNATURE_INVALID', 'bad sig', { status: 400 });
  assert.equal(custom.status, 400);
  assert.equal(custom.retryable, false);
});

test('toOdmError keeps OdmErrors and wraps the rest with the cause', () => {
  const original = new OdmError('ODM_ERR_VALIDATION', 'no');
  assert.equal(toOdmError(original), original);
  const cause = new TypeError('boom');
  const wrapped = toOdmError(cause);
  assert.equal(wrapped.code, 'ODM_ERR_INTERNAL');
  assert.equal(wrapped.cause, cause);
  assert.equal(wrapped.message, 'boom');
});
