// The license gate and authorizeDataAccess on an index fed with mirror rows (the chain-backed tests in
// test/licensing check that real events produce these rows).
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { AccessCheck } from '../consent/access-check.ts';
import { OdmError } from '../core/errors.ts';
import type { PrivilegeId } from '../consent/privileges.ts';
import type { Row } from '../chain/indexer/indexer-types.ts';
import { createDataAccessGate } from './data-access.ts';
import { createLicenseGate, type LicenseGate } from './license-gate.ts';
import { LicensingIndex } from './licensing-index.ts';

const E18 = 10n ** 18n;
const HOLDER = '0x00000000000000000000000000000000000000a1';
const OTHER = '0x00000000000000000000000000000000000000b2';
const LINKED = '0x00000000000000000000000000000000000000c3';
const VEHICLE = 7n;

function licenseRow(id: number, over: Partial<Row> = {}): Row {
  return {
    license_id: String(id),
    holder: HOLDER,
    kind: 2,
    status: 1,
    legal_name: 'Acme',
    dba: '',
    website: '',
    support_email: '',
    stake: (10_000n * E18).toString(),
    requirement_floor: '0',
    connected_users: '0',
    open_challenges: 0,
    status_reason: '',
    status_by: null,
    ended_at_sec: 0,
    issued_at: 0,
    issued_block: 1,
    ...over,
  };
}

function put(index: LicensingIndex, table: string, after: Row, before?: Row): void {
  index.apply({ table: table as never, key: {}, before, after });
}

function freshIndex(): LicensingIndex {
  const index = new LicensingIndex();
  put(index, 'licensing_params', { name: 'minimum_stake:0', value: (10_000n * E18).toString() });
  put(index, 'licensing_params', { name: 'minimum_stake:1', value: (100_000n * E18).toString() });
  put(index, 'licensing_params', { name: 'minimum_stake:2', value: (10_000n * E18).toString() });
  put(index, 'licensing_params', { name: 'stake_per_user', value: (2n * E18).toString() });
  return index;
}

function refusal(fn: () => unknown): OdmError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OdmError, `expected an OdmError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

/** A consent check holding exactly `grants` (grantee → privileges on VEHICLE). */
function fakeAccess(grants: Record<string, number[]>): AccessCheck {
  const held = (grantee: string, vehicleId: bigint) => (vehicleId === VEHICLE ? (grants[grantee.toLowerCase()] ?? []) : []);
  return {
    can: (g, v, p) => p.length > 0 && p.every((id) => held(g, v).includes(id)),
    missing: (g, v, p) => [...new Set(p)].filter((id) => !held(g, v).includes(id)).sort((a, b) => a - b) as PrivilegeId[],
    held: (g, v) => held(g, v) as PrivilegeId[],
  };
}

describe('license gate', () => {
  let index: LicensingIndex;
  let gate: LicenseGate;
  beforeEach(() => {
    index = freshIndex();
    gate = createLicenseGate(index);
  });

  it('passes an active license at its requirement, by id and by holder address', () => {
    put(index, 'licensing_licenses', licenseRow(1));
    const byId = gate.assertLicenseActive(1n);
    assert.equal(byId.trustRatio, E18);
    assert.equal(byId.required, 10_000n * E18);
    assert.equal(gate.assertLicenseActive('1').license.licenseId, 1n);
    assert.equal(gate.assertLicenseActive(HOLDER.toUpperCase().replace('0X', '0x')).license.licenseId, 1n);
  });

  it('refuses with one distinct 403 code per reason', () => {
    put(index, 'licensing_licenses', licenseRow(1, { status: 2, status_reason: 'abuse report' }));
    put(index, 'licensing_licenses', licenseRow(2, { status: 3, status_reason: 'terms breach' }));
    put(index, 'licensing_licenses', licenseRow(3, { status: 4 }));
    put(index, 'licensing_licenses', licenseRow(4, { status: 5, holder: OTHER, status_reason: 'fraud' }));
    put(index, 'licensing_licenses', licenseRow(5, { stake: (5_000n * E18).toString() }));
    const codes = [99n, 1n, 2n, 3n, 4n, 5n].map((id) => refusal(() => gate.assertLicenseActive(id)));
    assert.deepEqual(
      codes.map((e) => e.code),
      ['ODM_ERR_LICENSE_UNKNOWN', 'ODM_ERR_LICENSE_SUSPENDED', 'ODM_ERR_LICENSE_REVOKED', 'ODM_ERR_LICENSE_RENOUNCED', 'ODM_ERR_LICENSE_BANNED', 'ODM_ERR_LICENSE_UNDERSTAKED'],
    );
    for (const e of codes) assert.equal(e.status, 403);
    assert.match(codes[1]!.message, /suspended: abuse report/);
    const under = codes[5]!;
    assert.equal(under.details.trustRatio, '0.5');
    assert.equal(under.details.trustRatioWad, (E18 / 2n).toString());
    assert.equal(under.details.required, (10_000n * E18).toString());
    const decision = gate.check(5n);
    assert.equal(decision.ok, false);
    assert.equal(!decision.ok && decision.error.code, 'ODM_ERR_LICENSE_UNDERSTAKED');
  });

  it('computes the requirement like the contract: node per-user stake and the license floor', () => {
    put(index, 'licensing_licenses', licenseRow(1, { kind: 1, stake: (120_000n * E18).toString(), connected_users: '10000' }));
    assert.equal(index.requiredStake(1n), 120_000n * E18);
    assert.equal(index.trustRatio(1n), E18);
    put(index, 'licensing_licenses', licenseRow(1, { kind: 1, stake: (120_000n * E18).toString(), connected_users: '10001' }), licenseRow(1));
    assert.equal(refusal(() => gate.assertLicenseActive(1n)).code, 'ODM_ERR_LICENSE_UNDERSTAKED');
    assert.equal(index.trustRatio(1n), (120_000n * E18 * E18) / (120_002n * E18)); // rounded down
    put(index, 'licensing_licenses', licenseRow(2, { stake: (30_000n * E18).toString(), requirement_floor: (40_000n * E18).toString() }));
    assert.equal(index.requiredStake(2n), 40_000n * E18);
    assert.equal(index.trustRatio(2n), (3n * E18) / 4n);
  });

  it('a ban of the identity reaches every license of it and of addresses linked to it', () => {
    put(index, 'licensing_licenses', licenseRow(1));
    put(index, 'licensing_licenses', licenseRow(2, { kind: 0, holder: LINKED }));
    put(index, 'licensing_links', { account: LINKED, controller: HOLDER, linked_by: OTHER, linked_at: 0 });
    assert.equal(gate.assertLicenseActive(2n).license.holder, LINKED);
    assert.deepEqual(index.licensesOf(LINKED).map((l) => l.licenseId), [1n, 2n]);
    put(index, 'licensing_bans', { identity: HOLDER, banned_by: OTHER, reason: 'fraud', banned_at: 0 });
    for (const ref of [1n, 2n, HOLDER, LINKED]) assert.equal(refusal(() => gate.assertLicenseActive(ref)).code, 'ODM_ERR_LICENSE_BANNED');
    assert.equal(index.isActive(2n), false);
    // Unbanned (governance): both are back.
    index.apply({ table: 'licensing_bans', key: {}, before: { identity: HOLDER, banned_by: OTHER, reason: 'fraud', banned_at: 0 }, after: undefined });
    assert.equal(gate.assertLicenseActive(2n).license.licenseId, 2n);
  });

  it('by address: picks an active license, else reports the refusal closest to passing', () => {
    put(index, 'licensing_licenses', licenseRow(1, { status: 3 }));
    put(index, 'licensing_licenses', licenseRow(2, { stake: '1' }));
    assert.equal(refusal(() => gate.assertLicenseActive(HOLDER)).code, 'ODM_ERR_LICENSE_UNDERSTAKED');
    put(index, 'licensing_licenses', licenseRow(3));
    assert.equal(gate.assertLicenseActive(HOLDER).license.licenseId, 3n);
    assert.equal(refusal(() => gate.assertLicenseActive(OTHER)).code, 'ODM_ERR_LICENSE_UNKNOWN');
    assert.equal(refusal(() => gate.assertLicenseActive(HOLDER, { kinds: ['node'] })).code, 'ODM_ERR_LICENSE_UNKNOWN');
    assert.equal(refusal(() => gate.assertLicenseActive(3n, { kinds: ['node'] })).code, 'ODM_ERR_LICENSE_KIND');
    assert.equal(refusal(() => gate.assertLicenseActive('not-a-license')).code, 'ODM_ERR_VALIDATION');
  });

  it('answers for a node relayer through the license it relays for', () => {
    put(index, 'licensing_licenses', licenseRow(1, { kind: 1, stake: (100_000n * E18).toString() }));
    put(index, 'licensing_relayers', { relayer: OTHER, license_id: '1' });
    assert.equal(gate.assertLicenseActive(OTHER).license.licenseId, 1n);
  });
});

describe('authorizeDataAccess', () => {
  let index: LicensingIndex;
  beforeEach(() => {
    index = freshIndex();
    put(index, 'licensing_licenses', licenseRow(1));
  });

  it('serves an active license whose grantee holds every privilege asked', () => {
    const gate = createDataAccessGate({ gate: createLicenseGate(index), index, access: fakeAccess({ [HOLDER]: [1, 3, 4] }) });
    const ok = gate.authorizeDataAccess({ licenseId: 1n, grantee: HOLDER, vehicleId: VEHICLE, privileges: [4, 1] });
    assert.equal(ok.license.licenseId, 1n);
    assert.deepEqual(ok.privileges, [1, 4]);
    // The license is found from the grantee when not named.
    assert.equal(gate.authorizeDataAccess({ grantee: HOLDER, vehicleId: VEHICLE, privileges: [1] }).license.licenseId, 1n);
  });

  it('refuses without consent, naming the missing privileges', () => {
    const gate = createDataAccessGate({ gate: createLicenseGate(index), index, access: fakeAccess({ [HOLDER]: [1] }) });
    const e = refusal(() => gate.authorizeDataAccess({ licenseId: 1n, grantee: HOLDER, vehicleId: VEHICLE, privileges: [1, 3] }));
    assert.equal(e.code, 'ODM_ERR_CONSENT_MISSING');
    assert.equal(e.status, 403);
    assert.deepEqual(e.details.missing, [3]);
    assert.equal(refusal(() => gate.authorizeDataAccess({ licenseId: 1n, grantee: HOLDER, vehicleId: 8n, privileges: [1] })).code, 'ODM_ERR_CONSENT_MISSING');
  });

  it('applies the license gate before consent', () => {
    const gate = createDataAccessGate({ gate: createLicenseGate(index), index, access: fakeAccess({ [HOLDER]: [1] }) });
    put(index, 'licensing_licenses', licenseRow(1, { status: 2 }), licenseRow(1));
    assert.equal(refusal(() => gate.authorizeDataAccess({ licenseId: 1n, grantee: HOLDER, vehicleId: VEHICLE, privileges: [1] })).code, 'ODM_ERR_LICENSE_SUSPENDED');
  });

  it('refuses a grantee that does not act for the license, and accepts a linked one', () => {
    const gate = createDataAccessGate({ gate: createLicenseGate(index), index, access: fakeAccess({ [OTHER]: [1], [LINKED]: [1] }) });
    assert.equal(refusal(() => gate.authorizeDataAccess({ licenseId: 1n, grantee: OTHER, vehicleId: VEHICLE, privileges: [1] })).code, 'ODM_ERR_LICENSE_GRANTEE_MISMATCH');
    put(index, 'licensing_links', { account: LINKED, controller: HOLDER, linked_by: OTHER, linked_at: 0 });
    assert.equal(gate.authorizeDataAccess({ licenseId: 1n, grantee: LINKED, vehicleId: VEHICLE, privileges: [1] }).grantee, LINKED);
  });

  it('never authorizes an empty privilege list', () => {
    const gate = createDataAccessGate({ gate: createLicenseGate(index), index, access: fakeAccess({ [HOLDER]: [1] }) });
    assert.equal(refusal(() => gate.authorizeDataAccess({ licenseId: 1n, grantee: HOLDER, vehicleId: VEHICLE, privileges: [] })).code, 'ODM_ERR_CONSENT_MISSING');
  });
});
