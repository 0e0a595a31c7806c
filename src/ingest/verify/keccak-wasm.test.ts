import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { keccak256 } from 'viem';
import { createKeccak, keccakWasmBytes } from './keccak-wasm.ts';

test('the generated WebAssembly keccak256 matches viem for every length around the block size and large inputs', () => {
  const k = createKeccak();
  for (let len = 0; len <= 300; len++) {
    const b = randomBytes(len);
    assert.equal('0x' + k.hash(b).toString('hex'), keccak256(b), `length ${len}`);
  }
  const big = randomBytes(200_000); // grows the module's memory
  assert.equal('0x' + k.hash(big).toString('hex'), keccak256(big));
  assert.equal('0x' + k.hash(Buffer.from('')).toString('hex'), '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
});

test('hashInto writes at an offset without touching the rest', () => {
  const k = createKeccak();
  const out = Buffer.alloc(40, 0xee);
  k.hashInto(Buffer.from('abc'), out, 4);
  assert.equal(out.subarray(4, 36).toString('hex'), keccak256(Buffer.from('abc')).slice(2));
  assert.deepEqual([...out.subarray(0, 4), ...out.subarray(36)], [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
});

test('the module bytes are deterministic', () => {
  assert.deepEqual(keccakWasmBytes(), keccakWasmBytes());
});
