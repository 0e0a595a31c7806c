import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OdmError } from '../core/errors.ts';
import { maskToPrivileges, privilegeBits, privilegesToMask, PRIVILEGE_IDS } from './privileges.ts';

test('privilege N occupies bits 2N and 2N+1 (DIMO SACD encoding)', () => {
  assert.equal(privilegesToMask([1]), 12n);
  assert.equal(privilegesToMask([2]), 0b110000n);
  assert.equal(privilegesToMask([8]), 3n << 16n);
  assert.equal(privilegesToMask([1, 3, 4]), 12n + 192n + 768n);
  assert.equal(privilegesToMask([1, 3, 4]), 0b1111001100n);
  assert.equal(privilegesToMask(PRIVILEGE_IDS), 0x3fffcn);
  assert.equal(privilegesToMask([]), 0n);
});

test('duplicates and order do not matter', () => {
  assert.equal(privilegesToMask([4, 1, 3, 1]), privilegesToMask([1, 3, 4]));
});

test('ids outside 1–8 are refused with ODM_ERR_PRIVILEGE_UNKNOWN', () => {
  for (const bad of [0, 9, -1, 1.5, Number.NaN]) {
    assert.throws(() => privilegesToMask([1, bad]), (e: unknown) => e instanceof OdmError && e.code === 'ODM_ERR_PRIVILEGE_UNKNOWN' && e.status === 400);
  }
  assert.throws(() => privilegeBits(9), { code: 'ODM_ERR_PRIVILEGE_UNKNOWN' });
});

test('maskToPrivileges inverts privilegesToMask', () => {
  assert.deepEqual(maskToPrivileges(privilegesToMask([8, 1, 4, 3])), [1, 3, 4, 8]);
  assert.deepEqual(maskToPrivileges(0n), []);
  assert.deepEqual(maskToPrivileges(privilegesToMask(PRIVILEGE_IDS)), [...PRIVILEGE_IDS]);
});

test('a privilege with only one bit set is not held; unknown privileges are ignored', () => {
  assert.deepEqual(maskToPrivileges(0b0100n), []);
  assert.deepEqual(maskToPrivileges(0b1000n | privilegesToMask([2])), [2]);
  assert.deepEqual(maskToPrivileges((3n << 18n) | 12n), [1]);
});

test('maskToPrivileges refuses values that are not uint256', () => {
  assert.throws(() => maskToPrivileges(-1n), { code: 'ODM_ERR_VALIDATION' });
  assert.throws(() => maskToPrivileges(1n << 256n), { code: 'ODM_ERR_VALIDATION' });
});
