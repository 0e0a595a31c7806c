// Parsing amounts and ids as people type them, and reading contract errors into stable codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaseError, encodeErrorResult, type Abi } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { formatDimo, parseDimo, parseUint } from './cli-values.ts';
import { CONTRACT_ERRORS, errorFragments, protocolError } from './contract-errors.ts';

const E18 = 10n ** 18n;

describe('protocol CLI values', () => {
  it('reads DIMO amounts exactly, with separators and up to 18 decimals', () => {
    assert.equal(parseDimo('10,000', 'amount'), 10_000n * E18);
    assert.equal(parseDimo('0.000000000000000001', 'amount'), 1n);
    assert.equal(parseDimo('1_000.5', 'amount'), 1_000_500_000_000_000_000_000n);
    for (const bad of ['-1', '1e3', 'abc', '1.0000000000000000001', '']) assert.throws(() => parseDimo(bad, 'amount'), (e: unknown) => e instanceof OdmError && e.code === 'ODM_ERR_VALIDATION');
  });

  it('reads integers in decimal, hex and integer-valued scientific notation', () => {
    assert.equal(parseUint('20000e18', 'x'), 20_000n * E18);
    assert.equal(parseUint('1.5e18', 'x'), 15n * 10n ** 17n);
    assert.equal(parseUint('0x2a', 'x'), 42n);
    assert.throws(() => parseUint('1.5e0', 'x'), /whole number/);
  });

  it('prints DIMO with thousands separators, exact to the wei', () => {
    assert.equal(formatDimo(1_105_000n * E18), '1,105,000 DIMO');
    assert.equal(formatDimo(1n), '0.000000000000000001 DIMO');
  });
});

describe('contract errors', () => {
  const abi = [
    { type: 'error', name: 'InvalidStatus', inputs: [{ name: 'licenseId', type: 'uint256' }, { name: 'status', type: 'uint8' }] },
    { type: 'error', name: 'SomethingNew', inputs: [{ name: 'x', type: 'uint256' }] },
  ] as const satisfies Abi;
  const errors = errorFragments([abi, abi]);
  const reverted = (data: `0x${string}`) => Object.assign(new BaseError('execution reverted'), { data });

  it('maps a custom error, decoded from raw revert data, to its code with named arguments', () => {
    const e = protocolError(reverted(encodeErrorResult({ abi, errorName: 'InvalidStatus', args: [7n, 2] })), 'Licenses.suspend', errors);
    assert.equal(e.code, 'ODM_ERR_LICENSE_INVALID_STATUS');
    assert.equal(e.message, 'Licenses.suspend refused: license 7 is suspended');
    assert.deepEqual(e.details, { error: 'InvalidStatus', args: { licenseId: '7', status: 2 } });
    assert.equal(errors.length, 2, 'each error once');
  });

  it('reports an error outside the table as ODM_ERR_CHAIN_REVERTED, and transport failures as unavailable', () => {
    const e = protocolError(reverted(encodeErrorResult({ abi, errorName: 'SomethingNew', args: [1n] })), 'X.y', errors);
    assert.equal(e.code, 'ODM_ERR_CHAIN_REVERTED');
    assert.match(e.message, /SomethingNew\(x=1\)/);
    assert.equal(protocolError(new BaseError('fetch failed'), 'X.y', errors).code, 'ODM_ERR_CHAIN_UNAVAILABLE');
  });

  it('every code in the table is a stable ODM_ERR_ code', () => {
    for (const [name, entry] of Object.entries(CONTRACT_ERRORS)) assert.match(entry.code, /^ODM_ERR_[A-Z_]+$/, name);
  });
});
