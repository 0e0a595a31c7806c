import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileCondition } from './webhook-conditions.ts';
import { checkTargetUrl, isPrivateAddress } from './webhook-targets.ts';

const at = (value: number | string | { latitude: number; longitude: number; hdop: number | null }, source = '0xabc') => ({ value, source });

describe('webhook conditions (CEL)', () => {
  it('evaluates numbers, strings, locations and the previous sample', () => {
    assert.equal(compileCondition('valueNumber > 100')({ current: at(120), previous: undefined }), true);
    assert.equal(compileCondition('valueNumber > 100')({ current: at(80), previous: undefined }), false);
    assert.equal(compileCondition('value >= 100.0')({ current: at(100), previous: undefined }), true);
    const rising = compileCondition('hasPreviousValue && valueNumber - previousValueNumber > 10.0');
    assert.equal(rising({ current: at(70), previous: undefined }), false);
    assert.equal(rising({ current: at(70), previous: at(55) }), true);
    assert.equal(rising({ current: at(60), previous: at(55) }), false);
    const changed = compileCondition('valueString != previousValueString');
    assert.equal(changed({ current: at('ON'), previous: at('OFF') }), true);
    assert.equal(changed({ current: at('ON'), previous: at('ON') }), false);
    const north = compileCondition('value.latitude > 52.0 && previousValue.latitude <= 52.0');
    assert.equal(north({ current: at({ latitude: 52.1, longitude: 13, hdop: null }), previous: at({ latitude: 51.9, longitude: 13, hdop: null }) }), true);
    assert.equal(compileCondition('source == "0xabc" && previousSource == ""')({ current: at(1), previous: undefined }), true);
  });

  it('turns runtime errors into "does not fire" and refuses what does not type-check as bool', () => {
    assert.equal(compileCondition('value.latitude > 1.0')({ current: at(5), previous: undefined }), false);
    for (const bad of ['', 'valueNumber', 'valueNumber > ', 'nope > 1', 'valueNumber > "a"', 'x'.repeat(1001)]) {
      assert.throws(() => compileCondition(bad), (err: { code?: string }) => err.code === 'ODM_ERR_WEBHOOK_CONDITION_INVALID', bad.slice(0, 20));
    }
  });
});

describe('webhook targets', () => {
  it('recognises private addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) assert.ok(isPrivateAddress(a), a);
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888']) assert.ok(!isPrivateAddress(a), a);
  });

  it('allows only https on public hosts in production', () => {
    const prod = { allowHttp: false, allowPrivate: false, timeoutMs: 1000 };
    assert.equal(checkTargetUrl('https://hooks.example.com/x', prod), 'https://hooks.example.com/x');
    for (const bad of ['http://hooks.example.com/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://[::1]/x', 'https://user:pw@hooks.example.com/', 'not a url', 'ftp://x/']) {
      assert.throws(() => checkTargetUrl(bad, prod), (err: { code?: string }) => err.code === 'ODM_ERR_WEBHOOK_TARGET_INVALID', bad);
    }
    assert.equal(checkTargetUrl('http://127.0.0.1:9/hook', { allowHttp: true, allowPrivate: true, timeoutMs: 1000 }), 'http://127.0.0.1:9/hook');
  });
});
