import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonical-json.ts';

test('keys are sorted recursively and there is no whitespace', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
});

test('the same content in any key order gives the same string', () => {
  assert.equal(canonicalJson({ x: 1, y: [1, 2] }), canonicalJson({ y: [1, 2], x: 1 }));
});

test('undefined members are omitted, -0 is 0, strings are escaped', () => {
  assert.equal(canonicalJson({ a: undefined, b: -0, c: 'é"\n' }), '{"b":0,"c":"é\\"\\n"}');
});

test('non-JSON values are refused', () => {
  assert.throws(() => canonicalJson([undefined]), { code: 'ODM_ERR_VALIDATION' });
  for (const bad of [Number.NaN, Infinity, 1n, () => 1, new Date(0)]) {
    assert.throws(() => canonicalJson({ bad }), { code: 'ODM_ERR_VALIDATION' });
  }
});
