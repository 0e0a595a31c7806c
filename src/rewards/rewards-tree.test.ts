// The rewards Merkle tree against an independent construction with viem (abi.encode + keccak256, OZ
// StandardMerkleTree leaves): same leaf hashes, proofs that verify, roots independent of leaf order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAbiParameters, keccak256 } from 'viem';
import { encodeLeaf, leafHash, RewardsTree, verifyProof, type RewardLeaf } from './rewards-tree.ts';

const leaf = (i: number): RewardLeaf => ({ week: 3, vehicleId: BigInt(i + 1), beneficiary: `0x${(i * 7919 + 1).toString(16).padStart(40, '0')}`, amount: BigInt(i) * 10n ** 18n + 7n });

test('leaves are abi.encode(uint256, uint256, address, uint256), hashed twice', () => {
  for (const l of [leaf(0), leaf(5), { ...leaf(1), amount: (1n << 255n) + 3n }]) {
    const abi = encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256' }], [BigInt(l.week), l.vehicleId, l.beneficiary as `0x${string}`, l.amount]);
    assert.equal(`0x${encodeLeaf(l).toString('hex')}`, abi);
    assert.equal(`0x${leafHash(l).toString('hex')}`, keccak256(keccak256(abi)));
  }
  assert.throws(() => encodeLeaf({ ...leaf(0), beneficiary: '0x12' }), RangeError);
});

test('every proof verifies for trees of 1 to 40 leaves, and the root ignores leaf order', () => {
  for (let n = 1; n <= 40; n++) {
    const leaves = Array.from({ length: n }, (_, i) => leaf(i));
    const tree = new RewardsTree(leaves);
    assert.equal(new RewardsTree([...leaves].reverse()).root, tree.root);
    for (const l of leaves) assert.ok(verifyProof(tree.root, l, tree.proof(l)), `n=${n} leaf ${l.vehicleId}`);
    assert.ok(!verifyProof(tree.root, { ...leaves[0]!, amount: leaves[0]!.amount + 1n }, tree.proof(leaves[0]!)), 'a changed amount fails');
  }
  assert.throws(() => new RewardsTree([]), RangeError);
  assert.throws(() => new RewardsTree([leaf(1), leaf(1)]), RangeError);
});
