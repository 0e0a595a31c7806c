// The licensing mirror against real contracts on anvil and the real chain indexer, on SQLite and on
// PostgreSQL: every licensing event lands in the tables and the in-memory index, the mirror's required
// stake, trust ratio and activity equal the contract's views, identity bans reach every license of the
// identity, a reorg is undone, and a restart reloads the same state from the tables.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Abi, Address, Hex } from 'viem';
import { systemClock } from '../../src/core/clock.ts';
import { OdmError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { LicensingIndex } from '../../src/licensing/licensing-index.ts';
import { LicensingMirror } from '../../src/licensing/licensing-mirror.ts';
import type { Store } from '../../src/store/store.ts';
import { E18, Kind, issueLicense, oneEvent, stakeFor, startP2Chain, type P2Chain } from '../contracts/protocol2-fixture.ts';
import { describeBothStores } from '../support/postgres.ts';

let c: P2Chain;
let abis: Record<string, Abi>;

before(async () => {
  c = await startP2Chain();
  abis = Object.fromEntries(Object.entries(c.artifacts).map(([name, a]) => [name, a.abi]));
});
after(async () => {
  await c?.stop();
});

const STATUS_NAMES = ['none', 'active', 'suspended', 'revoked', 'renounced', 'banned'];

describeBothStores('licensing mirror', (target) => {
  let store: Store;
  let mirror: LicensingMirror;
  let snap: Hex;

  /** Applies every block the chain has, like the running indexer does in the background. */
  async function sync(): Promise<void> {
    while (await mirror.indexer.step());
  }

  /** The mirror's view of each license equals the contract's. */
  async function assertMatchesChain(ids: bigint[]): Promise<void> {
    await sync();
    for (const id of ids) {
      const l = mirror.index.license(id)!;
      assert.ok(l, `license ${id} mirrored`);
      const chain = await c.read<{ kind: number; status: number; stake: bigint; openChallenges: number; requirementFloor: bigint; connectedUsers: bigint; endedAt: bigint }>('Licenses', 'license', [id]);
      assert.equal(l.holder, (await c.read<Address>('Licenses', 'ownerOf', [id])).toLowerCase(), `holder of ${id}`);
      assert.equal(l.status, STATUS_NAMES[chain.status], `status of ${id}`);
      assert.equal(l.stake, chain.stake, `stake of ${id}`);
      assert.equal(l.openChallenges, Number(chain.openChallenges), `open challenges of ${id}`);
      assert.equal(l.requirementFloor, chain.requirementFloor);
      assert.equal(l.connectedUsers, chain.connectedUsers);
      assert.equal(l.endedAtSec, Number(chain.endedAt));
      assert.equal(mirror.index.requiredStake(id), await c.read<bigint>('Licenses', 'requiredStake', [id]), `required stake of ${id}`);
      assert.equal(mirror.index.trustRatio(id), await c.read<bigint>('Licenses', 'trustRatio', [id]), `trust ratio of ${id}`);
      assert.equal(mirror.index.isActive(id), await c.read<boolean>('Licenses', 'isActive', [id]), `activity of ${id}`);
      assert.equal(mirror.gate.check(id).ok, mirror.index.isActive(id));
    }
  }

  function refusal(id: bigint | string): string {
    const d = mirror.gate.check(id);
    return d.ok ? 'active' : d.error.code;
  }

  before(async () => {
    snap = await c.snapshot();
    store = await target.open();
    mirror = await LicensingMirror.open({ store, publicClient: c.pub, contracts: c.addr, abis, deploymentBlock: 0n, confirmations: 0, logger: silentLogger(), clock: systemClock });
    await sync();
  });
  after(async () => {
    await mirror?.stop();
    await c.revert(snap); // the other store's half starts from the same chain
  });

  it('starts with the constructor parameters and the local node license #1', async () => {
    assert.deepEqual(mirror.index.minimumStake, { client: 10_000n * E18, node: 100_000n * E18, app: 10_000n * E18 });
    assert.equal(mirror.index.stakePerUser, 2n * E18);
    const node = mirror.index.license(1n)!;
    assert.equal(node.kind, 'node');
    assert.equal(node.holder, c.actors.admin.address.toLowerCase());
    assert.equal(mirror.index.relayerLicense(c.actors.admin.address), 1n);
    await assertMatchesChain([1n]);
  });

  it('mirrors issue, metadata, stake, withdraw, suspend, revoke and renounce', async () => {
    const { admin, app, bob, carol } = c.actors;
    const appId = await issueLicense(c, app.address, Kind.App);
    await sync();
    assert.equal(refusal(appId), 'ODM_ERR_LICENSE_UNDERSTAKED', 'no stake yet');
    assert.equal(mirror.index.license(appId)!.metadata.legalName, 'Acme Mobility GmbH');
    await stakeFor(c, app, appId, 12_000n * E18);
    await c.write(app, 'Licenses', 'withdrawStake', [appId, 2_000n * E18, app.address]);
    await c.write(admin, 'Licenses', 'updateMetadata', [appId, { legalName: 'Acme Two', dba: 'A2', website: '', supportEmail: '' }]);
    await assertMatchesChain([appId]);
    assert.equal(mirror.index.license(appId)!.stake, 10_000n * E18);
    assert.equal(mirror.index.license(appId)!.metadata.dba, 'A2');
    assert.equal(refusal(appId), 'active');

    await c.write(admin, 'Licenses', 'suspend', [appId, 'audit']);
    await assertMatchesChain([appId]);
    assert.equal(refusal(appId), 'ODM_ERR_LICENSE_SUSPENDED');
    assert.equal(mirror.index.license(appId)!.statusReason, 'audit');
    await c.write(admin, 'Licenses', 'unsuspend', [appId, 'cleared']);
    await assertMatchesChain([appId]);
    assert.equal(refusal(appId), 'active');

    const revoked = await issueLicense(c, bob.address, Kind.Client);
    await stakeFor(c, bob, revoked, 10_000n * E18);
    await c.write(admin, 'Licenses', 'revoke', [revoked, 'terms breach']);
    const renounced = await issueLicense(c, carol.address, Kind.App);
    await stakeFor(c, carol, renounced, 10_000n * E18);
    await c.write(carol, 'Licenses', 'renounce', [renounced]);
    await assertMatchesChain([revoked, renounced]);
    assert.equal(refusal(revoked), 'ODM_ERR_LICENSE_REVOKED');
    assert.equal(refusal(renounced), 'ODM_ERR_LICENSE_RENOUNCED');
    assert.ok(mirror.index.license(renounced)!.endedAtSec > 0);

    await c.write(admin, 'Licenses', 'transferLicense', [appId, bob.address]);
    await assertMatchesChain([appId]);
    assert.deepEqual(mirror.index.licensesOf(bob.address).map((l) => l.licenseId), [appId, revoked].sort((a, b) => Number(a - b)));
  });

  it('trust ratio equals Licenses.trustRatio in several cases', async () => {
    const { admin, alice, node, dave } = c.actors;
    const over = await issueLicense(c, alice.address, Kind.App);
    await stakeFor(c, alice, over, 15_000n * E18); // 1.5
    const third = await issueLicense(c, alice.address, Kind.Client);
    await stakeFor(c, alice, third, 3_333_333_333_333_333_333_333n); // 0.3333… rounded down
    const nodeId = await issueLicense(c, node.address, Kind.Node);
    await stakeFor(c, node, nodeId, 120_000n * E18);
    await c.write(admin, 'Licenses', 'setConnectedUsers', [nodeId, 10_001n]); // 120,002 required
    const floored = await issueLicense(c, dave.address, Kind.App);
    await stakeFor(c, dave, floored, 25_000n * E18);
    await c.write(admin, 'Licenses', 'raiseRequirement', [floored, 40_000n * E18]); // 0.625
    const empty = await issueLicense(c, dave.address, Kind.Client); // 0
    await assertMatchesChain([over, third, nodeId, floored, empty]);
    assert.equal(mirror.index.trustRatio(over), (3n * E18) / 2n);
    assert.equal(mirror.index.trustRatio(floored), (5n * E18) / 8n);
    assert.equal(mirror.index.trustRatio(empty), 0n);
    assert.equal(refusal(nodeId), 'ODM_ERR_LICENSE_UNDERSTAKED');
    const details = (mirror.gate.check(nodeId) as { error: OdmError }).error.details;
    assert.equal(details.trustRatioWad, (await c.read<bigint>('Licenses', 'trustRatio', [nodeId])).toString());
  });

  it('mirrors challenges: open locks the stake, an upheld slash leaves the license understaked, a rejection unlocks', async () => {
    const { admin, app, challenger } = c.actors;
    const appId = await issueLicense(c, app.address, Kind.App);
    await stakeFor(c, app, appId, 10_000n * E18);
    await c.fund(challenger, 2_000n * E18, 'Challenges');
    const opened = await c.write(challenger, 'Challenges', 'open', [appId, 'ipfs://evidence-1']);
    const first = oneEvent(c.events(opened, 'Challenges'), 'ChallengeOpened').challengeId as bigint;
    const second = oneEvent(c.events(await c.write(challenger, 'Challenges', 'open', [appId, 'ipfs://evidence-2']), 'Challenges'), 'ChallengeOpened').challengeId as bigint;
    await assertMatchesChain([appId]);
    assert.equal(mirror.index.license(appId)!.openChallenges, 2);
    assert.deepEqual(mirror.index.challengesOf(appId).map((ch) => [ch.challengeId, ch.status, ch.reasonUri]), [[first, 'open', 'ipfs://evidence-1'], [second, 'open', 'ipfs://evidence-2']]);

    await c.write(admin, 'Challenges', 'uphold', [first, 4_000n * E18, 0n, `0x${'00'.repeat(32)}`, 'ipfs://ruling-1']);
    await c.write(admin, 'Challenges', 'reject', [second, 'ipfs://ruling-2']);
    await assertMatchesChain([appId]);
    const upheld = mirror.index.challenges.get(first)!;
    assert.equal(upheld.status, 'upheld');
    assert.equal(upheld.slashed, 4_000n * E18);
    assert.equal(upheld.challengerReward, 400n * E18);
    assert.equal(upheld.burned, 3_600n * E18);
    assert.equal(mirror.index.challenges.get(second)!.status, 'rejected');
    assert.equal(mirror.index.license(appId)!.openChallenges, 0);
    assert.equal(mirror.index.license(appId)!.stake, 6_000n * E18);
    assert.equal(refusal(appId), 'ODM_ERR_LICENSE_UNDERSTAKED');
  });

  it('an identity ban reaches every license of the holder and of addresses linked to it', async () => {
    const { admin, alice, dave, stranger } = c.actors;
    const appId = await issueLicense(c, alice.address, Kind.App);
    await stakeFor(c, alice, appId, 10_000n * E18);
    const clientId = await issueLicense(c, alice.address, Kind.Client);
    await stakeFor(c, alice, clientId, 10_000n * E18);
    const linkedId = await issueLicense(c, stranger.address, Kind.App);
    await stakeFor(c, stranger, linkedId, 10_000n * E18);
    await c.write(admin, 'Licenses', 'linkAddress', [alice.address, stranger.address]);
    const other = await issueLicense(c, dave.address, Kind.App);
    await stakeFor(c, dave, other, 10_000n * E18);
    await assertMatchesChain([appId, clientId, linkedId, other]);
    assert.equal(mirror.index.controllerOf(stranger.address), alice.address.toLowerCase());

    const receipt = await c.write(admin, 'Licenses', 'ban', [appId, 'fraud']);
    // One status event for the banned license, one ban event for the identity: nothing per other license.
    const events = c.events(receipt, 'Licenses').map((e) => e.eventName);
    assert.deepEqual(events.sort(), ['AddressBanned', 'LicenseStatusChanged']);
    await assertMatchesChain([appId, clientId, linkedId, other]);
    assert.equal(mirror.index.license(clientId)!.status, 'active', 'the other licenses keep their status…');
    for (const id of [appId, clientId, linkedId]) assert.equal(refusal(id), 'ODM_ERR_LICENSE_BANNED', `…but are banned: ${id}`);
    assert.equal(refusal(stranger.address), 'ODM_ERR_LICENSE_BANNED');
    assert.equal(refusal(other), 'active');
  });

  it('mirrors subscriptions and payments with their split', async () => {
    const { app, alice } = c.actors;
    const appId = await issueLicense(c, app.address, Kind.App);
    await stakeFor(c, app, appId, 10_000n * E18);
    const minted = await c.write(alice, 'VehicleId', 'mint', [{ make: 'Ford', model: 'F-150', year: 2021, vinHash: `0x${'11'.repeat(32)}` }]);
    const vehicleId = oneEvent(c.events(minted, 'VehicleId'), 'VehicleMinted').vehicleId as bigint;
    const sub = oneEvent(c.events(await c.write(app, 'DimoPay', 'subscribe', [appId, vehicleId, 1n, 3n * E18]), 'DimoPay'), 'SubscriptionCreated').subscriptionId as bigint;
    await c.fund(app, 6n * E18, 'DimoPay');
    const paid = await c.write(app, 'DimoPay', 'pay', [sub, 2n, c.addr.DimoToken]);
    const paymentId = oneEvent(c.events(paid, 'DimoPay'), 'PaymentMade').paymentId as bigint;
    await sync();
    const chainSub = await c.read<{ end: bigint }>('DimoPay', 'subscription', [sub]);
    const s = mirror.index.subscriptions.get(sub)!;
    assert.equal(s.endSec, Number(chainSub.end));
    assert.equal(s.pricePerPeriod, 3n * E18);
    assert.equal(mirror.index.isSubscriptionCurrent(sub, Number(await c.now())), true);
    assert.deepEqual(mirror.index.subscriptionsFor({ appLicenseId: appId }).map((x) => x.subscriptionId), [sub]);
    const p = mirror.index.paymentsOf(sub)[0]!;
    assert.equal(p.paymentId, paymentId);
    assert.equal(p.amount, 6n * E18);
    assert.deepEqual(p.split && [p.split.owner, p.split.ownerShare, p.split.nodeShare, p.split.treasuryShare], [alice.address.toLowerCase(), 4_200_000_000_000_000_000n, 1_200_000_000_000_000_000n, 600_000_000_000_000_000n]);
    await c.write(alice, 'DimoPay', 'cancel', [sub]);
    await sync();
    assert.equal(mirror.index.subscriptions.get(sub)!.status, 'cancelled');
    assert.equal(mirror.index.isSubscriptionCurrent(sub, Number(await c.now())), false);
  });

  it('undoes a reorg and reloads the same state from its tables', async () => {
    const { app } = c.actors;
    const appId = await issueLicense(c, app.address, Kind.App);
    await stakeFor(c, app, appId, 10_000n * E18);
    await sync();
    const before = await c.snapshot();
    await stakeFor(c, app, appId, 5_000n * E18);
    const late = await issueLicense(c, app.address, Kind.Client);
    await sync();
    assert.equal(mirror.index.license(appId)!.stake, 15_000n * E18);
    assert.ok(mirror.index.license(late));
    await c.revert(before);
    await c.increaseTime(1n); // the chain moves on along another branch
    await sync();
    assert.equal(mirror.index.license(late), undefined, 'the license of the dropped blocks is gone');
    await assertMatchesChain([appId]);

    const reloaded = new LicensingIndex();
    await reloaded.load(store.db);
    assert.deepEqual(reloaded.licenses, mirror.index.licenses);
    assert.deepEqual(reloaded.challenges, mirror.index.challenges);
    assert.deepEqual(reloaded.subscriptions, mirror.index.subscriptions);
    assert.deepEqual(reloaded.payments, mirror.index.payments);
    assert.deepEqual(reloaded.bans, mirror.index.bans);
    assert.deepEqual(reloaded.params, mirror.index.params);
    assert.deepEqual(reloaded.relayers, mirror.index.relayers);
  });
});

describe('licensing mirror wiring', () => {
  it('refuses a deployment without the licensing contracts', async () => {
    const { Licenses: _omit, ...contracts } = c.addr;
    await assert.rejects(
      LicensingMirror.open({ store: undefined as never, publicClient: c.pub, contracts, abis, deploymentBlock: 0n, confirmations: 0, logger: silentLogger(), clock: systemClock }),
      (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_INDEXER_CONFIG' && /Licenses/.test(err.message),
    );
  });
});
