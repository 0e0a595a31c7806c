// Issuance (weekly minting with the yearly 15% reduction, exact to the wei, budget split) and
// RewardsPayout (weekly Merkle roots capped by the rewards budget, claims once per vehicle per week).
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Address, Hex } from 'viem';
import { E18, WEEK, expectRevert, merkleTree, oneEvent, roleId, standardLeaf, startP2Chain, type P2Chain } from './protocol2-fixture.ts';

let c: P2Chain;
let snap: Hex;
let start: bigint;

before(async () => {
  c = await startP2Chain();
  start = await c.read<bigint>('Issuance', 'start');
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

/**
 * The documented rule, independently: factor starts at 1e18 and is multiplied by 85/100 (rounding
 * down) once per completed 52-week year; amount = 1,105,000e18 × factor / 1e18 (rounding down).
 */
function expectedWeekly(week: bigint): bigint {
  let factor = E18;
  for (let n = week / 52n; n > 0n; n--) factor = (factor * 85n) / 100n;
  return (1_105_000n * E18 * factor) / E18;
}

function expectedSplit(total: bigint, bps: [bigint, bigint, bigint]): [bigint, bigint, bigint] {
  const rewards = (total * bps[0]) / 10_000n;
  const team = (total * bps[1]) / 10_000n;
  return [rewards, team, total - rewards - team];
}

async function mintWeek(week: bigint): Promise<Record<string, unknown>> {
  const at = start + week * WEEK;
  if (at > (await c.now())) await c.nextBlockAt(at);
  const receipt = await c.write(c.actors.stranger, 'Issuance', 'mintWeek');
  return oneEvent(c.events(receipt, 'Issuance'), 'WeekMinted');
}

describe('issuance', () => {
  it('mints 60 weeks exactly as the formula says, week 52 the first reduced one', async () => {
    const bps: [bigint, bigint, bigint] = [7_000n, 1_500n, 1_500n];
    const team = c.actors.admin.address; // team budget recipient on the local chain
    const dao = c.addr.DimoTimelock;
    const rewardsTo = c.addr.RewardsPayout;
    const supply0 = await c.read<bigint>('DimoToken', 'totalSupply');
    const bal0 = { r: await c.balance('DimoToken', rewardsTo), t: await c.balance('DimoToken', team), d: await c.balance('DimoToken', dao) };
    let sum = 0n;
    const sums = { r: 0n, t: 0n, d: 0n };
    for (let w = 0n; w < 60n; w++) {
      const ev = await mintWeek(w);
      const total = expectedWeekly(w);
      const [r, t, d] = expectedSplit(total, bps);
      assert.deepEqual(ev, { week: w, total, rewards: r, team: t, dao: d, rewardsRecipient: rewardsTo, teamRecipient: team, daoRecipient: dao }, `week ${w}`);
      assert.equal(r + t + d, total);
      assert.equal(await c.read('Issuance', 'budgetOf', [w, 0]), r);
      sum += total;
      sums.r += r;
      sums.t += t;
      sums.d += d;
      // Never twice in a week.
      if (w === 0n || w === 51n || w === 52n || w === 59n) {
        await expectRevert(c.write(c.actors.stranger, 'Issuance', 'mintWeek'), 'WeekNotStarted', [w + 1n, start + (w + 1n) * WEEK]);
      }
    }
    assert.equal(expectedWeekly(51n), 1_105_000n * E18);
    assert.equal(expectedWeekly(52n), 939_250n * E18, 'week 52 is the first reduced week');
    assert.equal(await c.read('Issuance', 'weeklyAmount', [51n]), 1_105_000n * E18);
    assert.equal(await c.read('Issuance', 'weeklyAmount', [52n]), 939_250n * E18);
    assert.equal(sum, 52n * 1_105_000n * E18 + 8n * 939_250n * E18);
    assert.equal(await c.read<bigint>('DimoToken', 'totalSupply'), supply0 + sum);
    // The team recipient is the deployer, which also paid nothing else meanwhile.
    assert.equal(await c.balance('DimoToken', rewardsTo), bal0.r + sums.r);
    assert.equal(await c.balance('DimoToken', team), bal0.t + sums.t);
    assert.equal(await c.balance('DimoToken', dao), bal0.d + sums.d);
    assert.equal(await c.read('Issuance', 'nextWeek'), 60n);
    assert.equal(await c.read('Issuance', 'currentWeek'), 59n);
  });

  it('the view follows the documented rounding far beyond the exact range', async () => {
    for (const w of [104n, 520n, 521n, 572n, 1_040n, 2_600n]) {
      assert.equal(await c.read('Issuance', 'weeklyAmount', [w]), expectedWeekly(w), `week ${w}`);
    }
    assert.equal(expectedWeekly(104n), 798_362_500_000_000_000_000_000n);
    // 0.85^10 is the first power that does not fit 18 decimals: the rule rounds it down.
    assert.equal(expectedWeekly(520n), (1_105_000n * E18 * 196_874_404_340_722_656n) / E18);
  });

  it('catches up missed weeks one per call, in order', async () => {
    await c.mineAt(start + 3n * WEEK + 5n);
    for (let w = 0n; w < 4n; w++) {
      const receipt = await c.write(c.actors.stranger, 'Issuance', 'mintWeek');
      assert.equal(oneEvent(c.events(receipt, 'Issuance'), 'WeekMinted').week, w);
    }
    await expectRevert(c.write(c.actors.stranger, 'Issuance', 'mintWeek'), 'WeekNotStarted', [4n, start + 4n * WEEK]);
  });

  it('splits budgets exactly by basis points; only governance changes the split', async () => {
    await expectRevert(c.write(c.actors.admin, 'Issuance', 'setSplit', [5_000, 2_500, 2_500]), 'AccessControlUnauthorizedAccount', [c.actors.admin.address, roleId('GOVERNANCE_ROLE')]);
    await expectRevert(c.write(c.governance, 'Issuance', 'setSplit', [5_000, 2_500, 2_499]), 'InvalidSplit');
    const receipt = await c.write(c.governance, 'Issuance', 'setSplit', [3_333, 3_333, 3_334]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Issuance'), 'SplitSet'), { rewardsBps: 3_333, teamBps: 3_333, daoBps: 3_334 });
    // Rounding: rewards and team round down, DAO takes the remainder.
    const odd = 1_000_000_000_000_000_007n;
    const [r, t, d] = await c.read<[bigint, bigint, bigint]>('Issuance', 'splitAmount', [odd]);
    assert.deepEqual([r, t, d], expectedSplit(odd, [3_333n, 3_333n, 3_334n]));
    assert.equal(r, 333_300_000_000_000_002n);
    assert.equal(t, 333_300_000_000_000_002n);
    assert.equal(d, 333_400_000_000_000_003n);
    const ev = await mintWeek(0n);
    assert.deepEqual([ev.rewards, ev.team, ev.dao], expectedSplit(1_105_000n * E18, [3_333n, 3_333n, 3_334n]));
    await expectRevert(c.write(c.governance, 'Issuance', 'setRecipient', [1, '0x0000000000000000000000000000000000000000']), 'InvalidRecipient');
    await expectRevert(c.write(c.actors.admin, 'Issuance', 'setRecipient', [1, c.actors.admin.address]), 'AccessControlUnauthorizedAccount');
  });

  it('nothing mints before the start', async () => {
    const future = (await c.now()) + WEEK;
    const issuance = await c.deploy(c.actors.admin, 'Issuance', [c.actors.admin.address, c.addr.DimoToken, future, [10_000, 0, 0], [c.actors.admin.address, c.actors.admin.address, c.actors.admin.address]]);
    await expectRevert(c.read(issuance, 'currentWeek', [], 'Issuance'), 'NotStarted', [future]);
    await expectRevert(c.write(c.actors.stranger, issuance, 'mintWeek', [], 'Issuance'), 'WeekNotStarted', [0n, future]);
    // Without MINTER_ROLE on the token it cannot mint either.
    await c.mineAt(future);
    await expectRevert(c.write(c.actors.stranger, issuance, 'mintWeek', [], 'Issuance'), 'AccessControlUnauthorizedAccount', undefined, c.artifacts.DimoToken!.abi);
  });
});

describe('rewards payout', () => {
  const leafTypes = ['uint256', 'uint256', 'address', 'uint256'] as const;
  type Entry = [week: bigint, vehicleId: bigint, beneficiary: Address, amount: bigint];
  const treeOf = (entries: Entry[]) => merkleTree(entries.map((e) => standardLeaf(leafTypes, e)));

  it('pays claims under the posted root, once per vehicle per week, within the budget', async () => {
    const { alice, bob, carol, admin, stranger } = c.actors;
    await mintWeek(0n);
    const budget = await c.read<bigint>('Issuance', 'budgetOf', [0n, 0]);
    assert.equal(budget, 773_500n * E18);
    const entries: Entry[] = [
      [0n, 1n, alice.address, 100n * E18],
      [0n, 2n, bob.address, 250n * E18],
      [0n, 3n, alice.address, 50n * E18],
      [0n, 1n, carol.address, 10n * E18], // vehicle 1 twice: only one can be paid
    ];
    const tree = treeOf(entries);
    const total = 410n * E18;
    await expectRevert(c.write(stranger, 'RewardsPayout', 'postRoot', [0n, tree.root, total]), 'AccessControlUnauthorizedAccount', [stranger.address, roleId('REWARDS_POSTER_ROLE')]);
    await expectRevert(c.write(admin, 'RewardsPayout', 'postRoot', [0n, tree.root, budget + 1n]), 'ExceedsBudget', [0n, budget + 1n, budget]);
    await expectRevert(c.write(admin, 'RewardsPayout', 'postRoot', [1n, tree.root, 1n]), 'WeekNotMinted', [1n]);
    await expectRevert(c.write(alice, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 100n * E18, tree.proof(0)]), 'NoRoot', [0n]);
    const posted = await c.write(admin, 'RewardsPayout', 'postRoot', [0n, tree.root, total]);
    assert.deepEqual(oneEvent(c.events(posted, 'RewardsPayout'), 'RewardsRootPosted'), { week: 0n, root: tree.root, total, budget, poster: admin.address });

    const claim = await c.write(stranger, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 100n * E18, tree.proof(0)]);
    assert.deepEqual(oneEvent(c.events(claim, 'RewardsPayout'), 'RewardClaimed'), { week: 0n, vehicleId: 1n, beneficiary: alice.address, amount: 100n * E18 });
    assert.equal(await c.balance('DimoToken', alice.address), 100n * E18);
    await expectRevert(c.write(alice, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 100n * E18, tree.proof(0)]), 'VehicleAlreadyClaimed', [0n, 1n]);
    await expectRevert(c.write(carol, 'RewardsPayout', 'claim', [0n, 1n, carol.address, 10n * E18, tree.proof(3)]), 'VehicleAlreadyClaimed', [0n, 1n]);
    await expectRevert(c.write(bob, 'RewardsPayout', 'claim', [0n, 2n, bob.address, 251n * E18, tree.proof(1)]), 'InvalidProof');
    await expectRevert(c.write(bob, 'RewardsPayout', 'claim', [0n, 2n, alice.address, 250n * E18, tree.proof(1)]), 'InvalidProof');
    await c.write(bob, 'RewardsPayout', 'claim', [0n, 2n, bob.address, 250n * E18, tree.proof(1)]);
    await c.write(alice, 'RewardsPayout', 'claim', [0n, 3n, alice.address, 50n * E18, tree.proof(2)]);
    assert.equal(await c.balance('DimoToken', alice.address), 150n * E18);
    assert.deepEqual(await c.read('RewardsPayout', 'weekRoot', [0n]), [tree.root, total, 400n * E18]);
    // After the first claim the root is final.
    await expectRevert(c.write(admin, 'RewardsPayout', 'postRoot', [0n, tree.root, total]), 'RootFinal', [0n]);

    // Next week the same vehicle earns again.
    await mintWeek(1n);
    const week1 = treeOf([[1n, 1n, alice.address, 7n * E18], [1n, 9n, bob.address, 3n * E18]]);
    await c.write(admin, 'RewardsPayout', 'postRoot', [1n, week1.root, 10n * E18]);
    await c.write(alice, 'RewardsPayout', 'claim', [1n, 1n, alice.address, 7n * E18, week1.proof(0)]);
    assert.equal(await c.balance('DimoToken', alice.address), 157n * E18);
    // A week-1 leaf is not valid for week 0.
    await expectRevert(c.write(bob, 'RewardsPayout', 'claim', [0n, 9n, bob.address, 3n * E18, week1.proof(1)]), 'InvalidProof');
  });

  it('claims never exceed the posted total (hence the budget)', async () => {
    const { alice, bob, admin } = c.actors;
    await mintWeek(0n);
    const tree = treeOf([[0n, 1n, alice.address, 60n], [0n, 2n, bob.address, 60n]]);
    await c.write(admin, 'RewardsPayout', 'postRoot', [0n, tree.root, 100n]); // leaves sum to 120 > 100
    await c.write(alice, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 60n, tree.proof(0)]);
    await expectRevert(c.write(bob, 'RewardsPayout', 'claim', [0n, 2n, bob.address, 60n, tree.proof(1)]), 'ExceedsTotal', [0n, 40n]);
  });

  it('a root can be replaced until its week is first claimed', async () => {
    const { alice, admin } = c.actors;
    await mintWeek(0n);
    const wrong = treeOf([[0n, 1n, alice.address, 1n]]);
    const right = treeOf([[0n, 1n, alice.address, 5n]]);
    await c.write(admin, 'RewardsPayout', 'postRoot', [0n, wrong.root, 1n]);
    await c.write(admin, 'RewardsPayout', 'postRoot', [0n, right.root, 5n]);
    await expectRevert(c.write(alice, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 1n, wrong.proof(0)]), 'InvalidProof');
    await c.write(alice, 'RewardsPayout', 'claim', [0n, 1n, alice.address, 5n, right.proof(0)]);
    await expectRevert(c.write(admin, 'RewardsPayout', 'postRoot', [0n, '0x' + '00'.repeat(32), 0n]), 'InvalidRoot');
  });
});
