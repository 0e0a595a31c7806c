// The Merkle tree RewardsPayout.claim verifies: OpenZeppelin MerkleProof with sorted-pair hashing, and
// StandardMerkleTree's double-hashed leaves
//   leaf = keccak256(keccak256(abi.encode(uint256 week, uint256 vehicleId, address beneficiary, uint256 amount))).
// Leaves are sorted by hash, so the root depends only on the set of leaves, never on their order. Each
// level pairs neighbours (hash of the smaller then the larger); an odd last node moves up unchanged, and
// its proof simply has no sibling at that level. Hashing uses the node's WebAssembly keccak (ingest).
import { createKeccak } from '../ingest/verify/keccak-wasm.ts';

export interface RewardLeaf {
  week: number;
  vehicleId: bigint;
  /** 0x address. */
  beneficiary: string;
  amount: bigint;
}

const keccak = createKeccak();
const MAX_UINT256 = (1n << 256n) - 1n;
const MASK64 = (1n << 64n) - 1n;

function putUint(buf: Buffer, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError('value does not fit uint256');
  // Four big-endian 64-bit limbs: much cheaper than going through hex text for 100,000 leaves.
  for (let i = 3; i >= 0; i--) {
    buf.writeBigUInt64BE(value & MASK64, offset + i * 8);
    value >>= 64n;
  }
}

/** abi.encode(week, vehicleId, beneficiary, amount): four 32-byte words. */
export function encodeLeaf(leaf: RewardLeaf, buf: Buffer = Buffer.alloc(128)): Buffer {
  if (!/^0x[0-9a-fA-F]{40}$/.test(leaf.beneficiary)) throw new RangeError(`beneficiary must be a 0x address`);
  buf.fill(0, 64, 76);
  putUint(buf, 0, BigInt(leaf.week));
  putUint(buf, 32, leaf.vehicleId);
  buf.write(leaf.beneficiary.slice(2), 64 + 12, 20, 'hex');
  putUint(buf, 96, leaf.amount);
  return buf;
}

const leafBuf = Buffer.alloc(128);
const innerBuf = Buffer.alloc(32);

export function leafHash(leaf: RewardLeaf): Buffer {
  keccak.hashInto(encodeLeaf(leaf, leafBuf), innerBuf, 0);
  return keccak.hash(innerBuf);
}

const pairBuf = Buffer.alloc(64);

function hashPair(a: Buffer, b: Buffer): Buffer {
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  lo.copy(pairBuf, 0);
  hi.copy(pairBuf, 32);
  return keccak.hash(pairBuf);
}

const hex = (b: Buffer): `0x${string}` => `0x${b.toString('hex')}`;

export class RewardsTree {
  /** levels[0] = sorted leaf hashes; the last level holds the root. */
  readonly #levels: Buffer[][];
  /** Leaf hash (hex) → position, built on the first proof. */
  #position: Map<string, number> | undefined;

  constructor(leaves: readonly RewardLeaf[]) {
    if (leaves.length === 0) throw new RangeError('a rewards tree needs at least one leaf');
    const hashes = leaves.map(leafHash).sort(Buffer.compare);
    for (let i = 1; i < hashes.length; i++) if (hashes[i]!.equals(hashes[i - 1]!)) throw new RangeError('duplicate leaf');
    const levels = [hashes];
    while (levels.at(-1)!.length > 1) {
      const below = levels.at(-1)!;
      const up: Buffer[] = new Array(Math.ceil(below.length / 2));
      for (let i = 0; i < below.length; i += 2) up[i >> 1] = i + 1 < below.length ? hashPair(below[i]!, below[i + 1]!) : below[i]!;
      levels.push(up);
    }
    this.#levels = levels;
  }

  get root(): `0x${string}` {
    return hex(this.#levels.at(-1)![0]!);
  }

  get size(): number {
    return this.#levels[0]!.length;
  }

  /** The proof for a leaf of this tree; throws for a leaf it does not hold. */
  proof(leaf: RewardLeaf): `0x${string}`[] {
    this.#position ??= new Map(this.#levels[0]!.map((h, i) => [h.toString('hex'), i]));
    let index = this.#position.get(leafHash(leaf).toString('hex'));
    if (index === undefined) throw new RangeError('leaf is not in the tree');
    const proof: `0x${string}`[] = [];
    for (let l = 0; l < this.#levels.length - 1; l++) {
      const level = this.#levels[l]!;
      const sibling = index ^ 1;
      if (sibling < level.length) proof.push(hex(level[sibling]!));
      index >>= 1;
    }
    return proof;
  }
}

/** MerkleProof.verify, for checks without a chain. */
export function verifyProof(root: string, leaf: RewardLeaf, proof: readonly string[]): boolean {
  let h = leafHash(leaf);
  for (const p of proof) h = hashPair(h, Buffer.from(p.slice(2), 'hex'));
  return hex(h) === root.toLowerCase();
}
