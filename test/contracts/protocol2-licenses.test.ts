// Licenses: issuing, transfer restrictions, stake and trust ratio, requirements, enforcement (suspend,
// revoke, ban, links, governance overrule), renounce, the onboarding gate, and the deploy wiring.
import assert from 'node:assert/strict';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { DAY, E18, Kind, META, Status, expectRevert, issueLicense, oneEvent, roleId, stakeFor, startP2Chain, type P2Chain } from './protocol2-fixture.ts';

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

const lic = (fn: string, args: readonly unknown[] = []) => c.read('Licenses', fn, args);

describe('deploy wiring', () => {
  it('hands every parameter role to the Timelock and keeps operational roles with the deployer', async () => {
    const timelock = c.addr.DimoTimelock;
    const admin = c.actors.admin.address;
    const governed: [string, string[]][] = [
      ['Licenses', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
      ['Challenges', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
      ['Issuance', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
      ['RewardsPayout', ['DEFAULT_ADMIN_ROLE']],
      ['PriceFeed', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
      ['DimoPay', ['GOVERNANCE_ROLE', 'DEFAULT_ADMIN_ROLE']],
    ];
    for (const [contract, roles] of governed) {
      for (const role of roles) {
        assert.equal(await c.read(contract as never, 'hasRole', [roleId(role), timelock]), true, `${contract} ${role} → timelock`);
        assert.equal(await c.read(contract as never, 'hasRole', [roleId(role), admin]), false, `${contract} ${role} renounced`);
      }
    }
    assert.equal(await c.read('Licenses', 'hasRole', [roleId('LICENSING_ROLE'), admin]), true);
    assert.equal(await c.read('Licenses', 'hasRole', [roleId('NODE_REPORTER_ROLE'), admin]), true);
    assert.equal(await c.read('Licenses', 'hasRole', [roleId('CHALLENGES_ROLE'), c.addr.Challenges]), true);
    assert.equal(await c.read('Challenges', 'hasRole', [roleId('ARBITER_ROLE'), admin]), true);
    assert.equal(await c.read('RewardsPayout', 'hasRole', [roleId('REWARDS_POSTER_ROLE'), admin]), true);
    assert.equal(await c.read('DimoToken', 'hasRole', [roleId('MINTER_ROLE'), c.addr.Issuance]), true);
    assert.equal(await c.read('DimoTimelock', 'hasRole', [roleId('PROPOSER_ROLE'), c.addr.DimoGovernor]), true);
    assert.equal(await c.read('DimoTimelock', 'hasRole', [roleId('DEFAULT_ADMIN_ROLE'), admin]), false);
    assert.equal(await c.read('DimoTimelock', 'getMinDelay'), 4n * DAY);
    assert.equal(await c.read('Challenges', 'treasury'), timelock);
    assert.equal(await c.read('DimoPay', 'treasury'), timelock);
    assert.equal(await c.read('Issuance', 'recipient', [0]), c.addr.RewardsPayout);
    assert.equal(await c.read('Issuance', 'recipient', [2]), timelock);
    assert.equal(await c.read('VehicleId', 'onboardingGate'), c.addr.Licenses);
    assert.equal(await c.read('DimoPay', 'vehicles'), c.addr.VehicleId);
  });

  it('issues the local node license #1 to the deployer, staked and able to onboard', async () => {
    assert.equal(await lic('ownerOf', [1n]), c.actors.admin.address);
    assert.equal(await lic('kindOf', [1n]), Kind.Node);
    assert.equal(await lic('isActive', [1n]), true);
    assert.equal(await lic('canOnboard', [c.actors.admin.address]), true);
  });

  it('starts with the protocol minimums', async () => {
    assert.equal(await lic('minimumStake', [Kind.Client]), 10_000n * E18);
    assert.equal(await lic('minimumStake', [Kind.App]), 10_000n * E18);
    assert.equal(await lic('minimumStake', [Kind.Node]), 100_000n * E18);
    assert.equal(await lic('stakePerUser'), 2n * E18);
  });
});

describe('issuing and transfers', () => {
  it('only the licensing role issues', async () => {
    await expectRevert(
      c.write(c.actors.stranger, 'Licenses', 'issue', [c.actors.stranger.address, Kind.App, META]),
      'AccessControlUnauthorizedAccount',
      [c.actors.stranger.address, roleId('LICENSING_ROLE')],
    );
  });

  it('records kind and metadata and emits LicenseIssued', async () => {
    const receipt = await c.write(c.actors.admin, 'Licenses', 'issue', [c.actors.app.address, Kind.App, META]);
    const ev = oneEvent(c.events(receipt, 'Licenses'), 'LicenseIssued');
    assert.equal(ev.holder, c.actors.app.address);
    assert.equal(ev.kind, Kind.App);
    assert.equal(ev.legalName, META.legalName);
    assert.equal(ev.dba, META.dba);
    assert.equal(ev.website, META.website);
    assert.equal(ev.supportEmail, META.supportEmail);
    const id = ev.licenseId as bigint;
    const l = await lic('license', [id]) as { kind: number; status: number; metadata: typeof META };
    assert.equal(l.kind, Kind.App);
    assert.equal(l.status, Status.Active);
    assert.deepEqual(l.metadata, META);
    // Unstaked: issued but not active.
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'issue', [c.actors.app.address, Kind.App, { ...META, legalName: '' }]), 'InvalidMetadata');
  });

  it('metadata updates by the licensing role only', async () => {
    const id = await issueLicense(c, c.actors.app.address, Kind.App);
    const next = { ...META, website: 'https://new.example' };
    const receipt = await c.write(c.actors.admin, 'Licenses', 'updateMetadata', [id, next]);
    assert.equal(oneEvent(c.events(receipt, 'Licenses'), 'LicenseMetadataUpdated').website, 'https://new.example');
    await expectRevert(c.write(c.actors.app, 'Licenses', 'updateMetadata', [id, META]), 'AccessControlUnauthorizedAccount');
  });

  it('holders cannot transfer or approve; the licensing role can move a license', async () => {
    const { app, bob } = c.actors;
    const id = await issueLicense(c, app.address, Kind.App);
    await expectRevert(c.write(app, 'Licenses', 'transferFrom', [app.address, bob.address, id]), 'TransferRestricted');
    await expectRevert(c.write(app, 'Licenses', 'safeTransferFrom', [app.address, bob.address, id]), 'TransferRestricted');
    await expectRevert(c.write(app, 'Licenses', 'approve', [bob.address, id]), 'ApprovalsDisabled');
    await expectRevert(c.write(app, 'Licenses', 'setApprovalForAll', [bob.address, true]), 'ApprovalsDisabled');
    await expectRevert(c.write(app, 'Licenses', 'transferLicense', [id, bob.address]), 'Unauthorized', [app.address]);
    const receipt = await c.write(c.actors.admin, 'Licenses', 'transferLicense', [id, bob.address]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'LicenseTransferred'), { licenseId: id, from: app.address, to: bob.address });
    assert.equal(await lic('ownerOf', [id]), bob.address);
  });
});

describe('stake and trust ratio', () => {
  it('computes trust ratio = staked × 1e18 / required and activity from it', async () => {
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.Client);
    assert.equal(await lic('requiredStake', [id]), 10_000n * E18);
    assert.equal(await lic('trustRatio', [id]), 0n);
    await stakeFor(c, holder, id, 5_000n * E18);
    assert.equal(await lic('trustRatio', [id]), E18 / 2n);
    assert.equal(await lic('isActive', [id]), false);
    await stakeFor(c, holder, id, 5_000n * E18 - 1n);
    assert.equal(await lic('trustRatio', [id]), E18 - 1n, 'one wei short rounds down below 1');
    assert.equal(await lic('isActive', [id]), false);
    await c.fund(holder, 1n, 'Licenses');
    const receipt = await c.write(holder, 'Licenses', 'stake', [id, 1n]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'Staked'), { licenseId: id, from: holder.address, amount: 1n, totalStake: 10_000n * E18 });
    assert.equal(await lic('trustRatio', [id]), E18);
    assert.equal(await lic('isActive', [id]), true);
    await stakeFor(c, holder, id, 5_000n * E18);
    assert.equal(await lic('trustRatio', [id]), (3n * E18) / 2n);
    // 1/3: rounds down
    const id2 = await issueLicense(c, holder.address, Kind.Client);
    await stakeFor(c, holder, id2, 10_000n * E18 / 3n);
    assert.equal(await lic('trustRatio', [id2]), ((10_000n * E18 / 3n) * E18) / (10_000n * E18));
  });

  it('node requirement = 100,000 + 2 per connected user, reported by the node reporter', async () => {
    const id = await issueLicense(c, c.actors.node.address, Kind.Node);
    assert.equal(await lic('requiredStake', [id]), 100_000n * E18);
    const receipt = await c.write(c.actors.admin, 'Licenses', 'setConnectedUsers', [id, 1_500n]);
    assert.equal(oneEvent(c.events(receipt, 'Licenses'), 'ConnectedUsersSet').connectedUsers, 1_500n);
    assert.equal(await lic('requiredStake', [id]), 103_000n * E18);
    await expectRevert(c.write(c.actors.node, 'Licenses', 'setConnectedUsers', [id, 1n]), 'AccessControlUnauthorizedAccount');
    const client = await issueLicense(c, c.actors.node.address, Kind.Client);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'setConnectedUsers', [client, 1n]), 'NotNodeLicense', [client]);
  });

  it('stakes with an EIP-2612 permit', async () => {
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.App);
    const amount = 10_000n * E18;
    await c.fund(holder, amount);
    const deadline = (await c.now()) + 3_600n;
    const nonce = await c.read<bigint>('DimoToken', 'nonces', [holder.address]);
    const signature = await holder.signTypedData({
      domain: { name: 'Dimo', version: '1', chainId: c.anvil.chainId, verifyingContract: c.addr.DimoToken },
      types: { Permit: [
        { name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' },
      ] },
      primaryType: 'Permit',
      message: { owner: holder.address, spender: c.addr.Licenses, value: amount, nonce, deadline },
    });
    const r = `0x${signature.slice(2, 66)}` as Hex;
    const s = `0x${signature.slice(66, 130)}` as Hex;
    const v = Number.parseInt(signature.slice(130, 132), 16);
    await c.write(holder, 'Licenses', 'stakeWithPermit', [id, amount, deadline, v, r, s]);
    assert.equal(await lic('stakeOf', [id]), amount);
    assert.equal(await lic('isActive', [id]), true);
  });

  it('a live license withdraws only the excess above its requirement, and only its holder', async () => {
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.App);
    await stakeFor(c, holder, id, 12_000n * E18);
    await expectRevert(c.write(holder, 'Licenses', 'withdrawStake', [id, 2_000n * E18 + 1n, holder.address]), 'StakeBelowRequirement', [id, 2_000n * E18]);
    await expectRevert(c.write(c.actors.stranger, 'Licenses', 'withdrawStake', [id, 1n, c.actors.stranger.address]), 'NotHolder');
    const before = await c.balance('DimoToken', c.actors.dave.address);
    const receipt = await c.write(holder, 'Licenses', 'withdrawStake', [id, 2_000n * E18, c.actors.dave.address]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'StakeWithdrawn'), { licenseId: id, to: c.actors.dave.address, amount: 2_000n * E18, totalStake: 10_000n * E18 });
    assert.equal(await c.balance('DimoToken', c.actors.dave.address), before + 2_000n * E18);
    assert.equal(await lic('isActive', [id]), true);
  });
});

describe('requirements', () => {
  it('licensing may raise a requirement but never lower it', async () => {
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.App);
    await stakeFor(c, holder, id, 10_000n * E18);
    const receipt = await c.write(c.actors.admin, 'Licenses', 'raiseRequirement', [id, 20_000n * E18]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'RequirementFloorSet'), { licenseId: id, previousFloor: 0n, floor: 20_000n * E18, by: c.actors.admin.address });
    assert.equal(await lic('requiredStake', [id]), 20_000n * E18);
    assert.equal(await lic('trustRatio', [id]), E18 / 2n);
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'raiseRequirement', [id, 15_000n * E18]), 'RequirementNotRaised', [20_000n * E18, 15_000n * E18]);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'raiseRequirement', [id, 20_000n * E18]), 'RequirementNotRaised');
    await expectRevert(c.write(c.actors.stranger, 'Licenses', 'raiseRequirement', [id, 30_000n * E18]), 'AccessControlUnauthorizedAccount');
    // Below the kind's minimum is "lowering" too.
    const other = await issueLicense(c, holder.address, Kind.App);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'raiseRequirement', [other, 5_000n * E18]), 'RequirementNotRaised');
    // Licensing cannot use the governance overrule.
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'setRequirementFloor', [id, 0n]), 'AccessControlUnauthorizedAccount');
    await c.write(c.governance, 'Licenses', 'setRequirementFloor', [id, 0n]);
    assert.equal(await lic('requiredStake', [id]), 10_000n * E18);
    assert.equal(await lic('isActive', [id]), true);
  });

  it('minimums change only through governance', async () => {
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'setMinimumStake', [Kind.App, 1n]), 'AccessControlUnauthorizedAccount', [c.actors.admin.address, roleId('GOVERNANCE_ROLE')]);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'setStakePerUser', [1n]), 'AccessControlUnauthorizedAccount');
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.Client);
    await stakeFor(c, holder, id, 10_000n * E18);
    const receipt = await c.write(c.governance, 'Licenses', 'setMinimumStake', [Kind.Client, 40_000n * E18]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'MinimumStakeSet'), { kind: Kind.Client, amount: 40_000n * E18 });
    assert.equal(await lic('trustRatio', [id]), E18 / 4n);
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(c.governance, 'Licenses', 'setMinimumStake', [Kind.Client, 0n]), 'InvalidAmount');
    await c.write(c.governance, 'Licenses', 'setStakePerUser', [5n * E18]);
    const node = await issueLicense(c, c.actors.node.address, Kind.Node);
    await c.write(c.actors.admin, 'Licenses', 'setConnectedUsers', [node, 10n]);
    assert.equal(await lic('requiredStake', [node]), 100_050n * E18);
  });
});

describe('enforcement', () => {
  async function activeApp(holder = c.actors.carol): Promise<bigint> {
    const id = await issueLicense(c, holder.address, Kind.App);
    await stakeFor(c, holder, id, 10_000n * E18);
    return id;
  }

  it('suspend / unsuspend / revoke with reasons in the events', async () => {
    const id = await activeApp();
    const admin = c.actors.admin.address;
    let receipt = await c.write(c.actors.admin, 'Licenses', 'suspend', [id, 'late KYC']);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'LicenseStatusChanged'), { licenseId: id, previous: Status.Active, status: Status.Suspended, endedAt: 0n, by: admin, reason: 'late KYC' });
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(c.actors.carol, 'Licenses', 'withdrawStake', [id, 1n, c.actors.carol.address]), 'InvalidStatus');
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'suspend', [id, 'again']), 'InvalidStatus', [id, Status.Suspended]);
    receipt = await c.write(c.actors.admin, 'Licenses', 'unsuspend', [id, 'KYC done']);
    assert.equal(oneEvent(c.events(receipt, 'Licenses'), 'LicenseStatusChanged').reason, 'KYC done');
    assert.equal(await lic('isActive', [id]), true);
    await expectRevert(c.write(c.actors.stranger, 'Licenses', 'suspend', [id, 'x']), 'Unauthorized', [c.actors.stranger.address]);
    receipt = await c.write(c.actors.admin, 'Licenses', 'revoke', [id, 'terms breach']);
    const ev = oneEvent(c.events(receipt, 'Licenses'), 'LicenseStatusChanged');
    assert.equal(ev.status, Status.Revoked);
    assert.equal(ev.reason, 'terms breach');
    assert.equal(ev.endedAt, await c.now());
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'unsuspend', [id, 'no']), 'InvalidStatus');
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'revoke', [id, 'again']), 'InvalidStatus');
    // Revoked stake stays for the exit delay (challenges may still slash it).
    await expectRevert(c.write(c.actors.carol, 'Licenses', 'withdrawStake', [id, 1n, c.actors.carol.address]), 'StakeLocked');
  });

  it('governance overrules: reinstates a revoked license and grants roles', async () => {
    const id = await activeApp();
    await c.write(c.actors.admin, 'Licenses', 'revoke', [id, 'mistake']);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'reinstate', [id, 'undo']), 'AccessControlUnauthorizedAccount');
    const receipt = await c.write(c.governance, 'Licenses', 'reinstate', [id, 'DAO vote 7']);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'LicenseStatusChanged'), { licenseId: id, previous: Status.Revoked, status: Status.Active, endedAt: 0n, by: c.addr.DimoTimelock, reason: 'DAO vote 7' });
    assert.equal(await lic('isActive', [id]), true);
    await expectRevert(c.write(c.governance, 'Licenses', 'reinstate', [id, 'again']), 'InvalidStatus');
    // Role changes: the Timelock is the admin; it can replace the licensing team.
    await c.write(c.governance, 'Licenses', 'grantRole', [roleId('LICENSING_ROLE'), c.actors.dave.address]);
    await c.write(c.governance, 'Licenses', 'revokeRole', [roleId('LICENSING_ROLE'), c.actors.admin.address]);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'issue', [c.actors.bob.address, Kind.App, META]), 'AccessControlUnauthorizedAccount');
    await c.write(c.actors.dave, 'Licenses', 'issue', [c.actors.bob.address, Kind.App, META]);
    await expectRevert(c.write(c.actors.admin, 'Licenses', 'grantRole', [roleId('LICENSING_ROLE'), c.actors.admin.address]), 'AccessControlUnauthorizedAccount');
  });

  it('a banned holder can never be licensed again, nor through a linked address', async () => {
    const { carol, bob, dave, admin } = c.actors;
    const id = await activeApp(carol);
    const bobLicense = await activeApp(bob);
    const receipt = await c.write(admin, 'Licenses', 'ban', [id, 'fraud']);
    const events = c.events(receipt, 'Licenses');
    assert.equal(oneEvent(events, 'LicenseStatusChanged').status, Status.Banned);
    assert.deepEqual(oneEvent(events, 'AddressBanned'), { identity: carol.address, by: admin.address, reason: 'fraud' });
    assert.equal(await lic('isBanned', [carol.address]), true);
    assert.equal(await lic('isActive', [id]), false);
    await expectRevert(c.write(admin, 'Licenses', 'issue', [carol.address, Kind.Client, META]), 'AddressIsBanned', [carol.address]);
    await expectRevert(c.write(admin, 'Licenses', 'transferLicense', [bobLicense, carol.address]), 'AddressIsBanned');
    // Dave turns out to be carol's company: linked, he is banned with her.
    const link = await c.write(admin, 'Licenses', 'linkAddress', [carol.address, dave.address]);
    assert.deepEqual(oneEvent(c.events(link, 'Licenses'), 'AddressLinked'), { account: dave.address, controller: carol.address, by: admin.address });
    assert.equal(await lic('controllerOf', [dave.address]), carol.address);
    await expectRevert(c.write(admin, 'Licenses', 'issue', [dave.address, Kind.App, META]), 'AddressIsBanned', [dave.address]);
    await expectRevert(c.write(admin, 'Licenses', 'linkAddress', [bob.address, dave.address]), 'AlreadyLinked', [dave.address, carol.address]);
    await expectRevert(c.write(admin, 'Licenses', 'linkAddress', [bob.address, carol.address]), 'IsController', [carol.address]);
    // Bob (licensed, clean) linked under the banned identity loses activity at once.
    assert.equal(await lic('isActive', [bobLicense]), true);
    await c.write(admin, 'Licenses', 'linkAddress', [dave.address, bob.address]); // resolves to carol
    assert.equal(await lic('controllerOf', [bob.address]), carol.address);
    assert.equal(await lic('isActive', [bobLicense]), false);
    // Licensing cannot unban or unlink; governance can.
    await expectRevert(c.write(admin, 'Licenses', 'unbanAddress', [carol.address, 'x']), 'AccessControlUnauthorizedAccount');
    await expectRevert(c.write(admin, 'Licenses', 'unlinkAddress', [bob.address]), 'AccessControlUnauthorizedAccount');
    const unlink = await c.write(c.governance, 'Licenses', 'unlinkAddress', [bob.address]);
    assert.deepEqual(oneEvent(c.events(unlink, 'Licenses'), 'AddressUnlinked'), { account: bob.address, controller: carol.address, by: c.addr.DimoTimelock });
    assert.equal(await lic('isActive', [bobLicense]), true);
  });

  it('linking a banned address to a clean identity bans the identity', async () => {
    const { stranger, bob, admin } = c.actors;
    const bobLicense = await activeApp(bob);
    await c.write(admin, 'Licenses', 'banAddress', [stranger.address, 'sanctioned']);
    await expectRevert(c.write(admin, 'Licenses', 'issue', [stranger.address, Kind.App, META]), 'AddressIsBanned');
    const receipt = await c.write(admin, 'Licenses', 'linkAddress', [bob.address, stranger.address]);
    assert.equal(oneEvent(c.events(receipt, 'Licenses'), 'AddressBanned').identity, bob.address);
    assert.equal(await lic('isBanned', [bob.address]), true);
    assert.equal(await lic('isActive', [bobLicense]), false);
  });

  it('governance reinstating a banned license unbans its holder', async () => {
    const { carol, admin } = c.actors;
    const id = await activeApp(carol);
    await c.write(admin, 'Licenses', 'ban', [id, 'fraud?']);
    await expectRevert(c.write(admin, 'Licenses', 'ban', [id, 'again']), 'InvalidStatus');
    const receipt = await c.write(c.governance, 'Licenses', 'reinstate', [id, 'appeal upheld']);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'AddressUnbanned'), { identity: carol.address, by: c.addr.DimoTimelock, reason: 'appeal upheld' });
    assert.equal(await lic('isBanned', [carol.address]), false);
    assert.equal(await lic('isActive', [id]), true);
    await issueLicense(c, carol.address, Kind.Client);
  });
});

describe('renounce', () => {
  it('is inactive at once and returns the stake only after 182 days', async () => {
    const holder = c.actors.carol;
    const id = await issueLicense(c, holder.address, Kind.App);
    await stakeFor(c, holder, id, 10_000n * E18);
    await expectRevert(c.write(c.actors.stranger, 'Licenses', 'renounce', [id]), 'NotHolder');
    const receipt = await c.write(holder, 'Licenses', 'renounce', [id]);
    const ev = oneEvent(c.events(receipt, 'Licenses'), 'LicenseStatusChanged');
    assert.equal(ev.status, Status.Renounced);
    const endedAt = ev.endedAt as bigint;
    assert.equal(await lic('isActive', [id]), false);
    const unlocksAt = endedAt + 182n * DAY;
    assert.equal(await lic('withdrawableAt', [id]), unlocksAt);
    await expectRevert(c.write(holder, 'Licenses', 'withdrawStake', [id, 1n, holder.address]), 'StakeLocked', [id, unlocksAt]);
    await expectRevert(c.write(holder, 'Licenses', 'stake', [id, 1n]), 'InvalidStatus');
    await expectRevert(c.write(holder, 'Licenses', 'renounce', [id]), 'InvalidStatus');
    await expectRevert(c.write(c.governance, 'Licenses', 'reinstate', [id, 'no']), 'InvalidStatus');
    await c.nextBlockAt(unlocksAt - 1n);
    await expectRevert(c.write(holder, 'Licenses', 'withdrawStake', [id, 1n, holder.address]), 'StakeLocked');
    await c.nextBlockAt(unlocksAt);
    await c.write(holder, 'Licenses', 'withdrawStake', [id, 10_000n * E18, holder.address]);
    assert.equal(await lic('stakeOf', [id]), 0n);
    assert.equal(await c.balance('DimoToken', holder.address), 10_000n * E18);
  });
});

describe('onboarding gate', () => {
  it('a node below its stake requirement cannot onboard', async () => {
    const { node, dave, admin } = c.actors;
    const id = await issueLicense(c, node.address, Kind.Node);
    assert.equal(await lic('relayerLicense', [node.address]), id);
    assert.equal(await lic('canOnboard', [node.address]), false, 'unstaked');
    await stakeFor(c, node, id, 100_000n * E18);
    assert.equal(await lic('canOnboard', [node.address]), true);
    await c.write(admin, 'Licenses', 'setConnectedUsers', [id, 1n]); // requirement 100,002
    assert.equal(await lic('canOnboard', [node.address]), false, 'below requirement');
    await stakeFor(c, node, id, 2n * E18);
    assert.equal(await lic('canOnboard', [node.address]), true);
    // Relayers the holder authorises act for the license.
    assert.equal(await lic('canOnboard', [dave.address]), false);
    const receipt = await c.write(node, 'Licenses', 'authorizeRelayer', [id, dave.address]);
    assert.deepEqual(oneEvent(c.events(receipt, 'Licenses'), 'RelayerSet'), { relayer: dave.address, licenseId: id, authorized: true, by: node.address });
    assert.equal(await lic('canOnboard', [dave.address]), true);
    await expectRevert(c.write(c.actors.stranger, 'Licenses', 'authorizeRelayer', [id, c.actors.stranger.address]), 'NotHolder');
    await expectRevert(c.write(admin, 'Licenses', 'authorizeRelayer', [1n, dave.address]), 'RelayerTaken', [dave.address, id]);
    await c.write(admin, 'Licenses', 'suspend', [id, 'audit']);
    assert.equal(await lic('canOnboard', [dave.address]), false, 'suspended');
    await c.write(admin, 'Licenses', 'unsuspend', [id, 'ok']);
    await c.write(node, 'Licenses', 'removeRelayer', [dave.address]);
    assert.equal(await lic('canOnboard', [dave.address]), false, 'removed');
    await expectRevert(c.write(node, 'Licenses', 'removeRelayer', [dave.address]), 'RelayerNotSet', [dave.address]);
    // App licenses cannot relay.
    const app = await issueLicense(c, c.actors.app.address, Kind.App);
    await expectRevert(c.write(c.actors.app, 'Licenses', 'authorizeRelayer', [app, c.actors.app.address]), 'NotNodeLicense');
  });

  it('VehicleId refuses relayed mints from a node below its requirement', async () => {
    const { node, alice, admin } = c.actors;
    const id = await issueLicense(c, node.address, Kind.Node);
    await stakeFor(c, node, id, 100_000n * E18);
    const mint = async (): Promise<void> => {
      const attributes = { make: 'Tesla', model: 'Model 3', year: 2022, vinHash: `0x${'ab'.repeat(32)}` as Hex };
      const nonce = await c.read<bigint>('VehicleId', 'nonces', [alice.address]);
      const deadline = (await c.now()) + 3_600n;
      const signature = await alice.signTypedData({
        domain: { name: 'DIMO Vehicle ID', version: '1', chainId: c.anvil.chainId, verifyingContract: c.addr.VehicleId },
        types: { MintVehicle: [
          { name: 'owner', type: 'address' }, { name: 'make', type: 'string' }, { name: 'model', type: 'string' },
          { name: 'year', type: 'uint16' }, { name: 'vinHash', type: 'bytes32' }, { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ] },
        primaryType: 'MintVehicle',
        message: { owner: alice.address, ...attributes, nonce, deadline },
      });
      await c.write(node, 'VehicleId', 'mintBySig', [alice.address, attributes, nonce, deadline, signature]);
    };
    await mint();
    await c.write(admin, 'Licenses', 'setConnectedUsers', [id, 1n]);
    await expectRevert(mint(), 'RelayerNotAllowed', [node.address]);
    await stakeFor(c, node, id, 2n * E18);
    await mint();
  });
});
