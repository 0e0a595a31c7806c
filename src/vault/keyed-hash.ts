// Keyed hashes for pseudonyms, bucket choice and duplicate detection: keccak256(secret ‖ message).
// Keccak is a sponge, so a secret prefix makes a sound MAC (no length extension); the WebAssembly
// keccak costs well under a microsecond here, where Node's createHmac costs several.
import { createKeccak } from '../ingest/verify/keccak-wasm.ts';

const keccak = createKeccak();
let scratch = Buffer.alloc(256);

export function keyedHash(secret: Buffer, message: string): Buffer {
  const need = secret.length + Buffer.byteLength(message);
  if (need > scratch.length) scratch = Buffer.alloc(Math.max(need, scratch.length * 2));
  secret.copy(scratch, 0);
  scratch.write(message, secret.length);
  return keccak.hash(scratch.subarray(0, need));
}
