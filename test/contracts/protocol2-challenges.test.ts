// Challenges: deposits, stake locks, upheld rulings (slash → burn, challenger reward, owner payouts via
// a Merkle root), rejected rulings (deposit to the treasury), and renounce with an open challenge.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { zeroHash, type Hex } from 'viem';
import {
  DAY,
  E18,
  Kind,
  expectRevert,
  issueLicense,
  merkleTree,
  oneEvent,
  roleId,
  stakeFor,
  standardLeaf,
  startP2Chain,
  type P2Chain,
} from './protocol2-fixture.ts';

let c: P2Chain;
let snap: Hex;
let nodeId: bigint;
const DEPOSIT = 1_000n * E18;

before(async () => {
  c = await startP2Chain();
  nodeId = await issueLicense(c, c.actors.node.address, Kind.Node);
  await stakeFor(c, c.actors.node, nodeId, 120_000n * E18);
});
after(async () => {
  await c?.stop();
});
beforeEach(async () => {
  snap = await c.snapshot();
});
afterEach(async () => {
  await c.revert(snap);
});

async function openChallenge(licenseId = nodeId, uri = 'ipfs://evidence-1'): Promise<bigint> {
  await c.fund(c.actors.challenger, DEPOSIT, 'Challenges');
  const receipt = await c.write(c.actors.challenger, 'Challenges', 'open', [licenseId, uri]);
  return oneEvent(c.events(receipt, 'Challenges'), 'ChallengeOpened').challengeId as bigint;
}

describe('opening', () => {
  it('takes the deposit, records the reason and locks the stake', async () => {
    await c.fund(c.actors.challenger, DEPOSIT, 'Challenges');
    const receipt = await c.write(c.actors.challenger, 'Challenges', 'open', [nodeId, 'ipfs://evidence-1']);
    const ev = oneEvent(c.events(receipt, 'Challenges'), 'ChallengeOpened');
    assert.deepEqual(ev, { challengeId: 1n, licenseId: nodeId, challenger: c.actors.challenger.address, deposit: DEPOSIT, reasonURI: 'ipfs://evidence-1' });
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'ChallengeLockChanged'), { licenseId: nodeId, challengeId: 1n, openChallenges: 1n });
    assert.equal(await c.balance('DimoToken', c.actors.challenger.address), 0n);
    assert.equal(await c.balance('DimoToken', c.addr.Challenges), DEPOSIT);
    assert.equal(await c.read('Licenses', 'openChallenges', [nodeId]), 1n);
    // Excess stake (20,000 above the requirement) cannot leave while the challenge is open.
    await expectRevert(c.write(c.actors.node, 'Licenses', 'withdrawStake', [nodeId, 1n, c.actors.node.address]), 'ChallengeOpen', [nodeId]);
  });

  it('needs the deposit, a reason and an existing license', async () => {
    await expectRevert(c.write(c.actors.stranger, 'Challenges', 'open', [nodeId, 'ipfs://x']), 'ERC20InsufficientAllowance', undefined, c.artifacts.DimoToken!.abi);
    await c.fund(c.actors.challenger, DEPOSIT, 'Challenges');
    await expectRevert(c.write(c.actors.challenger, 'Challenges', 'open', [nodeId, '']), 'UriTooLong');
    await expectRevert(c.write(c.actors.challenger, 'Challenges', 'open', [999n, 'ipfs://x']), 'ERC721NonexistentToken', [999n], c.artifacts.Licenses!.abi);
  });

  it('accepts a permit for the deposit', async () => {
    const who = c.actors.challenger;
    await c.fund(who, DEPOSIT);
    const deadline = (await c.now()) + 3_600n;
    const nonce = await c.read<bigint>('DimoToken', 'nonces', [who.address]);
    const signature = await who.signTypedData({
      domain: { name: 'Dimo', version: '1', chainId: c.anvil.chainId, verifyingContract: c.addr.DimoToken },
      types: { Permit: [
        { name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' },
      ] },
      primaryType: 'Permit',
      message: { owner: who.address, spender: c.addr.Challenges, value: DEPOSIT, nonce, deadline },
    });
    const v = Number.parseInt(signature.slice(130, 132), 16);
    await c.write(who, 'Challenges', 'openWithPermit', [nodeId, 'ipfs://p', deadline, v, `0x${signature.slice(2, 66)}`, `0x${signature.slice(66, 130)}`]);
    assert.equal(await c.read('Licenses', 'openChallenges', [nodeId]), 1n);
  });
});

describe('upheld', () => {
  it('slashes: burns the rest, rewards the challenger, reserves owner payouts claimable by proof', async () => {
    const id = await openChallenge();
    const { alice, bob, carol, challenger, admin } = c.actors;
    const payouts: [string, bigint][] = [[alice.address, 1_000n * E18], [bob.address, 1_500n * E18], [carol.address, 500n * E18]];
    const tree = merkleTree(payouts.map(([owner, amount]) => standardLeaf(['uint256', 'address', 'uint256'], [id, owner, amount])));
    const slash = 5_000n * E18;
    const reward = (slash * 1_000n) / 10_000n; // 10%
    const ownersTotal = 3_000n * E18;
    const burned = slash - reward - ownersTotal;
    const supplyBefore = await c.read<bigint>('DimoToken', 'totalSupply');

    await expectRevert(c.write(c.actors.stranger, 'Challenges', 'uphold', [id, slash, ownersTotal, tree.root, 'ipfs://ruling']), 'AccessControlUnauthorizedAccount', [c.actors.stranger.address, roleId('ARBITER_ROLE')]);
    await expectRevert(c.write(admin, 'Challenges', 'uphold', [id, slash, slash - reward + 1n, tree.root, 'r']), 'PayoutExceedsSlash', [slash - reward + 1n, slash - reward]);
    await expectRevert(c.write(admin, 'Challenges', 'uphold', [id, slash, ownersTotal, zeroHash, 'r']), 'MissingPayoutRoot');
    await expectRevert(c.write(admin, 'Challenges', 'uphold', [id, 120_000n * E18 + 1n, 0n, zeroHash, 'r']), 'InsufficientStake', [nodeId, 120_000n * E18], c.artifacts.Licenses!.abi);

    const receipt = await c.write(admin, 'Challenges', 'uphold', [id, slash, ownersTotal, tree.root, 'ipfs://ruling']);
    assert.deepEqual(oneEvent(c.events(receipt, 'Challenges'), 'ChallengeUpheld'), {
      challengeId: id, licenseId: nodeId, slashed: slash, burned, challengerReward: reward, ownersTotal, ownersRoot: tree.root, rulingURI: 'ipfs://ruling',
    });
    const licenseEvents = c.events(receipt, 'Licenses');
    assert.deepEqual(oneEvent(licenseEvents, 'StakeSlashed'), { licenseId: nodeId, challengeId: id, amount: slash, totalStake: 115_000n * E18 });
    assert.equal(oneEvent(licenseEvents, 'ChallengeLockChanged').openChallenges, 0n);
    assert.equal(await c.read('Licenses', 'stakeOf', [nodeId]), 115_000n * E18);
    assert.equal(await c.read<bigint>('DimoToken', 'totalSupply'), supplyBefore - burned);
    assert.equal(await c.balance('DimoToken', challenger.address), DEPOSIT + reward);
    assert.equal(await c.balance('DimoToken', c.addr.Challenges), ownersTotal);
    const stored = await c.read<{ status: number; burned: bigint; ownersRoot: Hex }>('Challenges', 'challenge', [id]);
    assert.equal(stored.status, 2);
    assert.equal(stored.burned, burned);
    await expectRevert(c.write(admin, 'Challenges', 'uphold', [id, 0n, 0n, zeroHash, 'again']), 'NotOpen', [id, 2]);
    await expectRevert(c.write(admin, 'Challenges', 'reject', [id, 'again']), 'NotOpen');

    // Affected owners claim (anyone may submit; the owner is paid).
    for (const [i, [owner, amount]] of payouts.entries()) {
      const claim = await c.write(c.actors.stranger, 'Challenges', 'claimOwnerPayout', [id, owner, amount, tree.proof(i)]);
      assert.deepEqual(oneEvent(c.events(claim, 'Challenges'), 'OwnerPayoutClaimed'), { challengeId: id, owner, amount });
      assert.equal(await c.balance('DimoToken', owner as Hex), amount);
    }
    await expectRevert(c.write(alice, 'Challenges', 'claimOwnerPayout', [id, alice.address, 1_000n * E18, tree.proof(0)]), 'AlreadyClaimed', [id, alice.address]);
    assert.equal(await c.balance('DimoToken', c.addr.Challenges), 0n);
  });

  it('refuses forged payout claims', async () => {
    const id = await openChallenge();
    const { alice, bob } = c.actors;
    const tree = merkleTree([standardLeaf(['uint256', 'address', 'uint256'], [id, alice.address, 100n]), standardLeaf(['uint256', 'address', 'uint256'], [id, bob.address, 200n])]);
    await c.write(c.actors.admin, 'Challenges', 'uphold', [id, 1_000n * E18, 300n, tree.root, 'r']);
    await expectRevert(c.write(alice, 'Challenges', 'claimOwnerPayout', [id, alice.address, 200n, tree.proof(0)]), 'InvalidProof');
    await expectRevert(c.write(alice, 'Challenges', 'claimOwnerPayout', [id, alice.address, 100n, tree.proof(1)]), 'InvalidProof');
    await expectRevert(c.write(alice, 'Challenges', 'claimOwnerPayout', [99n, alice.address, 100n, tree.proof(0)]), 'InvalidChallenge');
  });

  it('can burn the whole slash (no owner payouts)', async () => {
    const id = await openChallenge();
    const supplyBefore = await c.read<bigint>('DimoToken', 'totalSupply');
    await c.write(c.actors.admin, 'Challenges', 'uphold', [id, 10_000n * E18, 0n, zeroHash, 'burn it']);
    assert.equal(await c.read<bigint>('DimoToken', 'totalSupply'), supplyBefore - 9_000n * E18);
    assert.equal(await c.balance('DimoToken', c.actors.challenger.address), DEPOSIT + 1_000n * E18);
  });

  it('a slash below the requirement makes the node inactive and stops onboarding', async () => {
    const id = await openChallenge();
    await c.write(c.actors.admin, 'Challenges', 'uphold', [id, 30_000n * E18, 0n, zeroHash, 'r']);
    assert.equal(await c.read('Licenses', 'isActive', [nodeId]), false);
    assert.equal(await c.read('Licenses', 'canOnboard', [c.actors.node.address]), false);
  });
});

describe('rejected', () => {
  it('forfeits the deposit to the treasury and unlocks the stake', async () => {
    const id = await openChallenge();
    const treasury = c.addr.DimoTimelock;
    const before = await c.balance('DimoToken', treasury);
    await expectRevert(c.write(c.actors.stranger, 'Challenges', 'reject', [id, 'x']), 'AccessControlUnauthorizedAccount');
    const receipt = await c.write(c.actors.admin, 'Challenges', 'reject', [id, 'ipfs://no-merit']);
    assert.deepEqual(oneEvent(c.events(receipt, 'Challenges'), 'ChallengeRejected'), { challengeId: id, licenseId: nodeId, forfeited: DEPOSIT, treasury, rulingURI: 'ipfs://no-merit' });
    assert.equal(await c.balance('DimoToken', treasury), before + DEPOSIT);
    assert.equal(await c.balance('DimoToken', c.actors.challenger.address), 0n);
    assert.equal(await c.read('Licenses', 'openChallenges', [nodeId]), 0n);
    assert.equal(await c.read('Licenses', 'stakeOf', [nodeId]), 120_000n * E18);
    await c.write(c.actors.node, 'Licenses', 'withdrawStake', [nodeId, 20_000n * E18, c.actors.node.address]);
  });
});

describe('renounce with a challenge', () => {
  it('stake stays locked after 182 days while a challenge is open, and can still be slashed', async () => {
    const { node } = c.actors;
    await c.write(node, 'Licenses', 'renounce', [nodeId]);
    const unlocksAt = await c.read<bigint>('Licenses', 'withdrawableAt', [nodeId]);
    const id = await openChallenge();
    await c.mineAt(unlocksAt + DAY);
    await expectRevert(c.write(node, 'Licenses', 'withdrawStake', [nodeId, 1n, node.address]), 'ChallengeOpen', [nodeId]);
    await c.write(c.actors.admin, 'Challenges', 'uphold', [id, 20_000n * E18, 0n, zeroHash, 'r']);
    await c.write(node, 'Licenses', 'withdrawStake', [nodeId, 100_000n * E18, node.address]);
    assert.equal(await c.balance('DimoToken', node.address), 100_000n * E18);
  });
});

describe('parameters', () => {
  it('deposit, reward and treasury are set by governance only', async () => {
    await expectRevert(c.write(c.actors.admin, 'Challenges', 'setChallengeDeposit', [1n]), 'AccessControlUnauthorizedAccount');
    await expectRevert(c.write(c.actors.admin, 'Challenges', 'setTreasury', [c.actors.admin.address]), 'AccessControlUnauthorizedAccount');
    const receipt = await c.write(c.governance, 'Challenges', 'setChallengeDeposit', [5n * E18]);
    assert.equal(oneEvent(c.events(receipt, 'Challenges'), 'ChallengeDepositSet').amount, 5n * E18);
    await expectRevert(c.write(c.governance, 'Challenges', 'setChallengeDeposit', [0n]), 'InvalidParameter');
    await expectRevert(c.write(c.governance, 'Challenges', 'setChallengerRewardBps', [10_001n]), 'InvalidParameter');
    await c.write(c.governance, 'Challenges', 'setChallengerRewardBps', [2_500n]);
    await c.fund(c.actors.challenger, 5n * E18, 'Challenges');
    const opened = await c.write(c.actors.challenger, 'Challenges', 'open', [nodeId, 'ipfs://cheap']);
    const id = oneEvent(c.events(opened, 'Challenges'), 'ChallengeOpened').challengeId as bigint;
    await c.write(c.actors.admin, 'Challenges', 'uphold', [id, 4n * E18, 0n, zeroHash, 'r']);
    assert.equal(await c.balance('DimoToken', c.actors.challenger.address), 5n * E18 + E18);
    // Governance appoints arbiters.
    await expectRevert(c.write(c.actors.admin, 'Challenges', 'grantRole', [roleId('ARBITER_ROLE'), c.actors.dave.address]), 'AccessControlUnauthorizedAccount');
    await c.write(c.governance, 'Challenges', 'grantRole', [roleId('ARBITER_ROLE'), c.actors.dave.address]);
    assert.equal(await c.read('Challenges', 'hasRole', [roleId('ARBITER_ROLE'), c.actors.dave.address]), true);
  });

  it('the renounce delay is 182 days', async () => {
    assert.equal(await c.read('Licenses', 'EXIT_DELAY'), 182n * DAY);
  });
});
