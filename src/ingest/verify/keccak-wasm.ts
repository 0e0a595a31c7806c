// Keccak-256 (Ethereum's hash, not SHA3-256) as a small WebAssembly module generated here, at load time.
// Why: hashing the signed `data` bytes costs as much as the signature recovery itself in JavaScript
// (~30 µs for 2 KB with js-sha3); WebAssembly's 64-bit lanes make it ~6x cheaper. Node's OpenSSL
// exposes only SHA3 (different padding) and no native keccak package is installed, so the module is
// emitted from this generator: one function `absorb(ptr, blocks)` that runs keccak-f[1600] over
// pre-padded 136-byte blocks at `ptr` and writes the first 32 bytes of the state at address 0.

const RATE = 136;
const OUT = 0;
/** Inputs are copied here; the first 64 bytes hold the output. */
const IN = 64;

const ROUND_CONSTANTS = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n,
  0x000000000000808bn, 0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n,
  0x000000000000008an, 0x0000000000000088n, 0x0000000080008009n, 0x000000008000000an,
  0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n, 0x8000000000008003n,
  0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
/** Rotation offsets r[x][y]. */
const ROT = [
  [0, 36, 3, 41, 18],
  [1, 44, 10, 45, 2],
  [62, 6, 43, 15, 61],
  [28, 55, 25, 21, 56],
  [27, 20, 39, 8, 14],
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb64(value: bigint): number[] {
  let v = BigInt.asIntN(64, value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

/** Emits the module bytes. Exported for the test that checks the generator is deterministic. */
export function keccakWasmBytes(): Uint8Array {
  // Locals: params 0 (ptr) and 1 (blocks) are i32; then 25 state lanes, 25 B lanes, 5 C lanes, 1 D.
  const P = 0, N = 1;
  const S = (i: number) => 2 + i;
  const B = (i: number) => 27 + i;
  const C = (i: number) => 52 + i;
  const D = 57;
  const I64_LOCALS = 56;
  const code: number[] = [];
  const get = (l: number) => code.push(0x20, ...uleb(l));
  const set = (l: number) => code.push(0x21, ...uleb(l));
  const xor = () => code.push(0x85);
  const and = () => code.push(0x83);
  const rotl = (r: number) => code.push(0x42, ...sleb64(BigInt(r)), 0x89);
  const i64c = (v: bigint) => code.push(0x42, ...sleb64(v));

  code.push(0x02, 0x40); // block
  code.push(0x03, 0x40); // loop
  get(N); code.push(0x45, 0x0d, 1); // if blocks == 0 break out
  for (let i = 0; i < RATE / 8; i++) {
    get(P); code.push(0x29, 3, ...uleb(i * 8)); // i64.load align=8 offset=8i
    get(S(i)); xor(); set(S(i));
  }
  for (let round = 0; round < 24; round++) {
    // θ
    for (let x = 0; x < 5; x++) {
      get(S(x)); get(S(x + 5)); xor(); get(S(x + 10)); xor(); get(S(x + 15)); xor(); get(S(x + 20)); xor(); set(C(x));
    }
    for (let x = 0; x < 5; x++) {
      get(C((x + 4) % 5)); get(C((x + 1) % 5)); rotl(1); xor(); set(D);
      for (let y = 0; y < 5; y++) { get(S(x + 5 * y)); get(D); xor(); set(S(x + 5 * y)); }
    }
    // ρ and π
    for (let x = 0; x < 5; x++) {
      for (let y = 0; y < 5; y++) {
        get(S(x + 5 * y));
        const r = ROT[x]![y]!;
        if (r !== 0) rotl(r);
        set(B(y + 5 * ((2 * x + 3 * y) % 5)));
      }
    }
    // χ
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 5; x++) {
        get(B(x + 5 * y));
        get(B(((x + 1) % 5) + 5 * y)); i64c(-1n); xor();
        get(B(((x + 2) % 5) + 5 * y)); and();
        xor(); set(S(x + 5 * y));
      }
    }
    // ι
    get(S(0)); i64c(ROUND_CONSTANTS[round]!); xor(); set(S(0));
  }
  get(P); code.push(0x41, ...sleb64(BigInt(RATE)), 0x6a); set(P);
  get(N); code.push(0x41, 1, 0x6b); set(N);
  code.push(0x0c, 0); // br loop
  code.push(0x0b, 0x0b); // end loop, end block
  for (let i = 0; i < 4; i++) {
    code.push(0x41, ...sleb64(BigInt(OUT))); get(S(i)); code.push(0x37, 3, ...uleb(i * 8));
  }
  code.push(0x0b); // end function

  const body = [1, ...uleb(I64_LOCALS), 0x7e, ...code];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('absorb'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

export interface Keccak {
  /** keccak256 of bytes; the result is a fresh 32-byte Buffer. */
  hash(bytes: Uint8Array): Buffer;
  /** keccak256 written into `out` at `offset` (no allocation). */
  hashInto(bytes: Uint8Array, out: Uint8Array, offset: number): void;
}

// The es2024 lib has no WebAssembly types (they live in the DOM lib); this is the little we use.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/** One instance per thread (each has its own memory); cheap to create. */
export function createKeccak(): Keccak {
  compiled ??= new wasm.Module(keccakWasmBytes());
  const instance = new wasm.Instance(compiled, {});
  const memory = instance.exports.memory as WasmMemory;
  const absorb = instance.exports.absorb as (ptr: number, blocks: number) => void;
  let heap = new Uint8Array(memory.buffer);

  function run(bytes: Uint8Array): void {
    const blocks = Math.floor(bytes.length / RATE) + 1;
    const padded = blocks * RATE;
    if (IN + padded > heap.length) {
      memory.grow(Math.ceil((IN + padded - heap.length) / 65536));
      heap = new Uint8Array(memory.buffer);
    }
    heap.set(bytes, IN);
    heap.fill(0, IN + bytes.length, IN + padded);
    heap[IN + bytes.length]! ^= 0x01;
    heap[IN + padded - 1]! ^= 0x80;
    absorb(IN, blocks);
  }

  return {
    hash(bytes) {
      run(bytes);
      return Buffer.from(heap.slice(OUT, OUT + 32));
    },
    hashInto(bytes, out, offset) {
      run(bytes);
      out.set(heap.subarray(OUT, OUT + 32), offset);
    },
  };
}
