// Governance: the full Governor + Timelock lifecycle (propose → vote → queue → 4 days → execute) raising
// the minimum app stake and overruling the licensing team, and the Timelock's 4-day floor.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { encodeFunctionData, keccak256, toHex, type Hex } from 'viem';
import { DAY, E18, Kind, Status, expectRevert, issueLicense, oneEvent, stakeFor, startP2Chain, type P2Chain } from './protocol2-fixture.ts';

let c: P2Chain;
let snap: Hex;

before(async () => {
  c = await startP2Chain();
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

// IGovernor.ProposalState
const State = { Pending: 0, Active: 1, Canceled: 2, Defeated: 3, Succeeded: 4, Queued: 5, Expired: 6, Executed: 7 } as const;

describe('governor', () => {
  it('is configured with a timestamp clock and the deploy settings', async () => {
    assert.equal(await c.read('DimoGovernor', 'CLOCK_MODE'), 'mode=timestamp');
    assert.equal(await c.read('DimoGovernor', 'votingDelay'), 60n);
    assert.equal(await c.read('DimoGovernor', 'votingPeriod'), 86_400n);
    assert.equal(await c.read('DimoGovernor', 'quorumNumerator'), 4n);
    assert.equal(await c.read('DimoGovernor', 'timelock'), c.addr.DimoTimelock);
    assert.equal(await c.read('DimoGovernor', 'token'), c.addr.DimoToken);
  });

  it('full lifecycle: raises the minimum app stake and reinstates a license licensing revoked', async () => {
    const { voter, app, carol, admin, stranger } = c.actors;
    // An app staked at the old minimum, and a license the licensing team revoked.
    const appId = await issueLicense(c, app.address, Kind.App);
    await stakeFor(c, app, appId, 10_000n * E18);
    assert.equal(await c.read('Licenses', 'isActive', [appId]), true);
    const revokedId = await issueLicense(c, carol.address, Kind.Client);
    await stakeFor(c, carol, revokedId, 10_000n * E18);
    await c.write(admin, 'Licenses', 'revoke', [revokedId, 'licensing team decision']);

    // Voting power: delegated DIMO.
    await c.fund(voter, 1_000_000n * E18);
    await c.write(voter, 'DimoToken', 'delegate', [voter.address]);
    await c.fund(stranger, 10_000n * E18);
    await c.write(stranger, 'DimoToken', 'delegate', [stranger.address]);
    await c.increaseTime(1n);

    const licensesAbi = c.artifacts.Licenses!.abi;
    const targets = [c.addr.Licenses, c.addr.Licenses];
    const values = [0n, 0n];
    const calldatas = [
      encodeFunctionData({ abi: licensesAbi, functionName: 'setMinimumStake', args: [Kind.App, 20_000n * E18] }),
      encodeFunctionData({ abi: licensesAbi, functionName: 'reinstate', args: [revokedId, 'DAO overrule: proposal 1'] }),
    ];
    const description = 'Raise the app minimum stake to 20,000 DIMO; reinstate license';
    const descriptionHash = keccak256(toHex(description));

    const proposed = await c.write(voter, 'DimoGovernor', 'propose', [targets, values, calldatas, description]);
    const proposalId = oneEvent(c.events(proposed, 'DimoGovernor'), 'ProposalCreated').proposalId as bigint;
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Pending);
    await expectRevert(c.write(voter, 'DimoGovernor', 'castVote', [proposalId, 1]), 'GovernorUnexpectedProposalState');

    await c.increaseTime(61n);
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Active);
    await c.write(voter, 'DimoGovernor', 'castVote', [proposalId, 1]); // for
    await c.write(stranger, 'DimoGovernor', 'castVote', [proposalId, 0]); // against
    const [against, forVotes] = await c.read<[bigint, bigint, bigint]>('DimoGovernor', 'proposalVotes', [proposalId]);
    assert.equal(forVotes, 1_000_000n * E18);
    assert.equal(against, 10_000n * E18);
    await expectRevert(c.write(voter, 'DimoGovernor', 'queue', [targets, values, calldatas, descriptionHash]), 'GovernorUnexpectedProposalState');

    await c.increaseTime(86_400n);
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Succeeded);
    await c.write(stranger, 'DimoGovernor', 'queue', [targets, values, calldatas, descriptionHash]);
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Queued);

    // Not before the timelock's 4 days.
    await c.increaseTime(4n * DAY - 10n);
    await expectRevert(
      c.write(stranger, 'DimoGovernor', 'execute', [targets, values, calldatas, descriptionHash]),
      'TimelockUnexpectedOperationState',
      undefined,
      c.artifacts.DimoTimelock!.abi,
    );
    assert.equal(await c.read('Licenses', 'minimumStake', [Kind.App]), 10_000n * E18);

    await c.increaseTime(10n);
    const executed = await c.write(stranger, 'DimoGovernor', 'execute', [targets, values, calldatas, descriptionHash]);
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Executed);
    const licenseEvents = c.events(executed, 'Licenses');
    assert.deepEqual(oneEvent(licenseEvents, 'MinimumStakeSet'), { kind: Kind.App, amount: 20_000n * E18 });
    assert.equal(oneEvent(licenseEvents, 'LicenseStatusChanged').by, c.addr.DimoTimelock);

    // The app at the old stake now falls short: trust ratio 0.5, inactive.
    assert.equal(await c.read('Licenses', 'minimumStake', [Kind.App]), 20_000n * E18);
    assert.equal(await c.read('Licenses', 'requiredStake', [appId]), 20_000n * E18);
    const ratio = await c.read<bigint>('Licenses', 'trustRatio', [appId]);
    assert.ok(ratio < E18);
    assert.equal(ratio, E18 / 2n);
    assert.equal(await c.read('Licenses', 'isActive', [appId]), false);
    // The overruled license is live again.
    assert.equal(await c.read('Licenses', 'statusOf', [revokedId]), Status.Active);
    assert.equal(await c.read('Licenses', 'isActive', [revokedId]), true);
  });

  it('a proposal without quorum is defeated', async () => {
    const { voter, stranger } = c.actors;
    await c.fund(voter, 1_000_000n * E18);
    await c.fund(stranger, 1_000n * E18);
    await c.write(stranger, 'DimoToken', 'delegate', [stranger.address]);
    await c.increaseTime(1n);
    const calldata = encodeFunctionData({ abi: c.artifacts.Licenses!.abi, functionName: 'setStakePerUser', args: [0n] });
    const proposed = await c.write(stranger, 'DimoGovernor', 'propose', [[c.addr.Licenses], [0n], [calldata], 'zero per-user stake']);
    const proposalId = oneEvent(c.events(proposed, 'DimoGovernor'), 'ProposalCreated').proposalId as bigint;
    await c.increaseTime(61n);
    await c.write(stranger, 'DimoGovernor', 'castVote', [proposalId, 1]);
    await c.increaseTime(86_400n);
    assert.equal(await c.read('DimoGovernor', 'state', [proposalId]), State.Defeated);
  });

  it('nobody but the timelock holds governance powers', async () => {
    // The governor cannot bypass the timelock: it holds no protocol role itself.
    const gov = c.addr.DimoGovernor;
    assert.equal(await c.read('Licenses', 'hasRole', [keccak256(toHex('GOVERNANCE_ROLE')), gov]), false);
    await expectRevert(c.write(c.actors.admin, 'DimoTimelock', 'schedule', [c.addr.Licenses, 0n, '0x', `0x${'00'.repeat(32)}`, `0x${'00'.repeat(32)}`, 4n * DAY]), 'AccessControlUnauthorizedAccount');
  });
});

describe('timelock floor', () => {
  it('refuses a delay under 4 days at construction and on update', async () => {
    const { admin } = c.actors;
    await expectRevert(
      c.deploy(admin, 'DimoTimelock', [3n * DAY, [], [], admin.address]),
      'DelayTooShort',
      [3n * DAY, 4n * DAY],
      c.artifacts.DimoTimelock!.abi,
    );
    const ok = await c.deploy(admin, 'DimoTimelock', [4n * DAY, [], [], admin.address]);
    assert.equal(await c.read(ok, 'getMinDelay', [], 'DimoTimelock'), 4n * DAY);
    // updateDelay is callable only by the timelock itself (through a proposal).
    await expectRevert(c.write(admin, 'DimoTimelock', 'updateDelay', [5n * DAY]), 'TimelockUnauthorizedCaller');
    await expectRevert(c.write(c.governance, 'DimoTimelock', 'updateDelay', [DAY]), 'DelayTooShort', [DAY, 4n * DAY]);
    await c.write(c.governance, 'DimoTimelock', 'updateDelay', [5n * DAY]);
    assert.equal(await c.read('DimoTimelock', 'getMinDelay'), 5n * DAY);
  });
});
