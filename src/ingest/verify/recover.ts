// Recovers the Ethereum address that signed keccak256(bytes) with a 65-byte (r, s, v) signature, using
// native libsecp256k1. The package silently falls back to pure JavaScript when its binding fails to
// load; we load the binding directly so that case fails loudly instead of running 30x slower.
import { createRequire } from 'node:module';
import type { Keccak } from './keccak-wasm.ts';

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean, output?: Uint8Array): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
}

export const secp256k1: NativeSecp256k1 = createRequire(import.meta.url)('secp256k1/bindings');

/** Hex digit value of each byte, or -1 (one table lookup per digit instead of three range tests). */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = HEX[65 + c] = 10 + c;

/**
 * Decodes `0x` + 130 hex digits (bytes [start, end) of b) into out[0..65). Returns the recovery id
 * (v of 27/28 or 0/1), or -1 when malformed.
 */
export function parseSignature(b: Uint8Array, start: number, end: number, out: Uint8Array): number {
  if (end - start !== 132 || b[start] !== 48 || (b[start + 1] !== 120 && b[start + 1] !== 88)) return -1;
  for (let k = 0, i = start + 2; k < 65; k++, i += 2) {
    const hi = HEX[b[i]!]!, lo = HEX[b[i + 1]!]!;
    if ((hi | lo) < 0) return -1;
    out[k] = (hi << 4) | lo;
  }
  const v = out[64]!;
  if (v === 27 || v === 28) return v - 27;
  if (v === 0 || v === 1) return v;
  return -1;
}

const pub = new Uint8Array(65);
const hash = new Uint8Array(32);
const addrHash = new Uint8Array(32);

/**
 * Writes the 20-byte signer address of `data` into out[offset..offset+20); false if the signature does
 * not recover. `sig` holds r‖s in its first 64 bytes.
 */
export function recoverInto(keccak: Keccak, data: Uint8Array, sig: Uint8Array, recid: number, out: Uint8Array, offset: number): boolean {
  keccak.hashInto(data, hash, 0);
  try {
    secp256k1.ecdsaRecover(sig.subarray(0, 64), recid, hash, false, pub);
  } catch {
    return false;
  }
  keccak.hashInto(pub.subarray(1), addrHash, 0);
  out.set(addrHash.subarray(12), offset);
  return true;
}
