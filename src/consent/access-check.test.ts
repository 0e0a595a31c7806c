// Access checks over an in-memory mirror built from rows, with a clock the test moves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { IdentityIndex } from '../identity/identity-index.ts';
import { createAccessCheck, privilegeSet } from './access-check.ts';
import { privilegesToMask } from './privileges.ts';

const ASSET = '0x00000000000000000000000000000000000000a5';
const ALICE = '0x00000000000000000000000000000000000a11ce';
const BOB = '0x0000000000000000000000000000000000000b0b';
const APP = '0x00000000000000000000000000000000000000aa';
const NOW_S = 1_800_000_000;

function setup() {
  const index = new IdentityIndex(ASSET);
  const clock = new ManualClock(NOW_S * 1000);
  const put = (table: string, row: Record<string, string | number | null>) => index.apply({ table: table as never, key: {}, before: undefined, after: row });
  put('identity_supported_assets', { asset: ASSET });
  const vehicle = { token_id: '7', owner: ALICE, version: 2, make: 'M', model: 'X', year: 2020, vin_hash: '0x', minted_at: 0, minted_block: 1 };
  put('identity_vehicles', vehicle);
  const grant = (grantee: string, privileges: number[], opts: { version?: number; grantor?: string; expiration?: number } = {}) => {
    const row = {
      asset: ASSET,
      token_id: '7',
      version: opts.version ?? 2,
      grantee,
      grantor: opts.grantor ?? ALICE,
      permissions: `0x${privilegesToMask(privileges).toString(16)}`,
      expiration: String(opts.expiration ?? NOW_S + 60),
      source: '0x00',
      granted_at: 0,
    };
    put('identity_grants', row);
    return row;
  };
  return { index, clock, access: createAccessCheck(index, clock), put, grant, vehicle };
}

test('a current grant allows exactly its privileges', () => {
  const { access, grant } = setup();
  grant(APP, [1, 3]);
  assert.equal(access.can(APP, 7n, [1]), true);
  assert.equal(access.can(APP, 7n, [1, 3]), true);
  assert.equal(access.can(APP.toUpperCase().replace('0X', '0x'), 7n, [3]), true, 'any address case');
  assert.equal(access.can(APP, 7n, [1, 4]), false);
  assert.deepEqual(access.missing(APP, 7n, [4, 1, 8]), [4, 8]);
  assert.deepEqual(access.held(APP, 7n), [1, 3]);
  assert.equal(access.can(APP, 7n, []), false, 'an empty request is never held');
  assert.equal(access.can(APP, 8n, [1]), false, 'unknown vehicle');
  assert.equal(access.can(BOB, 7n, [1]), false, 'another grantee');
});

test('expiry: valid while expiration > now, denied at now', () => {
  const { access, grant, clock } = setup();
  grant(APP, [1], { expiration: NOW_S + 10 });
  clock.set((NOW_S + 9) * 1000 + 999);
  assert.equal(access.can(APP, 7n, [1]), true);
  clock.set((NOW_S + 10) * 1000);
  assert.equal(access.can(APP, 7n, [1]), false);
});

test('a grant of another version or by someone other than the owner does not count', () => {
  const { access, grant } = setup();
  grant(APP, [1], { version: 1 });
  assert.equal(access.can(APP, 7n, [1]), false, 'older version');
  grant(APP, [1], { grantor: BOB });
  assert.equal(access.can(APP, 7n, [1]), false, 'grantor is not the owner');
});

test('account grants of the current owner add to per-vehicle grants', () => {
  const { access, grant, put, vehicle, index } = setup();
  grant(APP, [1]);
  put('identity_account_grants', { grantor: ALICE, grantee: APP, permissions: `0x${privilegesToMask([3]).toString(16)}`, expiration: String(NOW_S + 60), source: '0x00', granted_at: 0 });
  assert.equal(access.can(APP, 7n, [1, 3]), true, 'the union');
  put('identity_account_grants', { grantor: BOB, grantee: APP, permissions: `0x${privilegesToMask([4]).toString(16)}`, expiration: String(NOW_S + 60), source: '0x00', granted_at: 0 });
  assert.equal(access.can(APP, 7n, [4]), false, "another account's grant");
  // Transfer to bob (version bump): alice's grants stop, bob's account grant starts.
  index.apply({ table: 'identity_vehicles', key: { token_id: '7' }, before: vehicle, after: { ...vehicle, owner: BOB, version: 3 } });
  assert.equal(access.can(APP, 7n, [1]), false);
  assert.equal(access.can(APP, 7n, [3]), false);
  assert.equal(access.can(APP, 7n, [4]), true);
});

test('grants on an unsupported asset count for nothing; unknown privilege ids are refused', () => {
  const { access, grant, index } = setup();
  grant(APP, [1]);
  index.apply({ table: 'identity_supported_assets', key: {}, before: { asset: ASSET }, after: undefined });
  assert.equal(access.can(APP, 7n, [1]), false);
  assert.throws(() => access.can(APP, 7n, [9]), /ODM_ERR_PRIVILEGE_UNKNOWN|Unknown privilege/);
  assert.throws(() => privilegeSet([1.5]), /Unknown privilege/);
  assert.equal(privilegeSet([1, 8]), (1 << 1) | (1 << 8));
});

