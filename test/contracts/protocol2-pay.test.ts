// DimoPay and PriceFeed: subscriptions (start, end, status), payments in DIMO and in the stable token
// converted by the governance feed, exact basis-point splits with the documented rounding.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { DAY, E18, Kind, expectRevert, issueLicense, oneEvent, roleId, stakeFor, startP2Chain, type P2Chain } from './protocol2-fixture.ts';

let c: P2Chain;
let snap: Hex;
let appId: bigint;
let nodeId: bigint;
let vehicleId: bigint;
const PERIOD = 30n * DAY;

before(async () => {
  c = await startP2Chain();
  appId = await issueLicense(c, c.actors.app.address, Kind.App);
  await stakeFor(c, c.actors.app, appId, 10_000n * E18);
  nodeId = await issueLicense(c, c.actors.node.address, Kind.Node);
  await stakeFor(c, c.actors.node, nodeId, 100_000n * E18);
  const receipt = await c.write(c.actors.alice, 'VehicleId', 'mint', [{ make: 'Ford', model: 'F-150', year: 2021, vinHash: `0x${'11'.repeat(32)}` }]);
  vehicleId = oneEvent(c.events(receipt, 'VehicleId'), 'VehicleMinted').vehicleId as bigint;
  assert.equal(await c.read('VehicleId', 'ownerOf', [vehicleId]), c.actors.alice.address);
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

async function subscribe(price: bigint): Promise<bigint> {
  const receipt = await c.write(c.actors.app, 'DimoPay', 'subscribe', [appId, vehicleId, nodeId, price]);
  return oneEvent(c.events(receipt, 'DimoPay'), 'SubscriptionCreated').subscriptionId as bigint;
}

/** The documented rule: owner and node shares round down, the treasury takes the remainder. */
function split(amount: bigint, ownerBps: bigint, nodeBps: bigint): [bigint, bigint, bigint] {
  const owner = (amount * ownerBps) / 10_000n;
  const node = (amount * nodeBps) / 10_000n;
  return [owner, node, amount - owner - node];
}

describe('subscriptions', () => {
  it('are opened by the app holder with start, end and status', async () => {
    const price = 2n * E18;
    const receipt = await c.write(c.actors.app, 'DimoPay', 'subscribe', [appId, vehicleId, nodeId, price]);
    const now = await c.now();
    assert.deepEqual(oneEvent(c.events(receipt, 'DimoPay'), 'SubscriptionCreated'), {
      subscriptionId: 1n, appLicenseId: appId, vehicleId, nodeLicenseId: nodeId, pricePerPeriod: price, periodSeconds: PERIOD, start: now, creator: c.actors.app.address,
    });
    const s = await c.read<{ start: bigint; end: bigint; status: number }>('DimoPay', 'subscription', [1n]);
    assert.equal(s.start, now);
    assert.equal(s.end, now);
    assert.equal(s.status, 1);
    assert.equal(await c.read('DimoPay', 'isCurrent', [1n]), false, 'nothing paid yet');
  });

  it('refuse non-holders, wrong kinds, inactive licenses, low prices and unknown vehicles', async () => {
    const { app, stranger, admin } = c.actors;
    await expectRevert(c.write(stranger, 'DimoPay', 'subscribe', [appId, vehicleId, nodeId, E18]), 'NotLicenseHolder', [appId, stranger.address]);
    await expectRevert(c.write(app, 'DimoPay', 'subscribe', [appId, vehicleId, nodeId, E18 - 1n]), 'PriceTooLow', [E18 - 1n, E18]);
    await expectRevert(c.write(app, 'DimoPay', 'subscribe', [appId, vehicleId, appId, E18]), 'NotNodeLicense', [appId]);
    await expectRevert(c.write(app, 'DimoPay', 'subscribe', [appId, 999n, nodeId, E18]), 'ERC721NonexistentToken', [999n], c.artifacts.VehicleId!.abi);
    const nodeAsApp = await issueLicense(c, app.address, Kind.Node);
    await expectRevert(c.write(app, 'DimoPay', 'subscribe', [nodeAsApp, vehicleId, nodeId, E18]), 'NotAppLicense', [nodeAsApp]);
    await c.write(admin, 'Licenses', 'suspend', [appId, 'audit']);
    await expectRevert(c.write(app, 'DimoPay', 'subscribe', [appId, vehicleId, nodeId, E18]), 'LicenseInactive', [appId]);
  });
});

describe('payments', () => {
  it('in DIMO: split exactly by basis points, remainder to the treasury, coverage extended', async () => {
    const { app, alice, node } = c.actors;
    const treasury = c.addr.DimoTimelock;
    const price = 1_234_567_891_234_567_891n; // odd on purpose
    const id = await subscribe(price);
    const amount = price * 3n;
    const [o, n, t] = split(amount, 7_000n, 2_000n);
    assert.deepEqual(await c.read('DimoPay', 'splitAmount', [amount]), [o, n, t]);
    assert.equal(o + n + t, amount);
    assert.notEqual((amount * 1_000n) % 10_000n, 0n, 'the treasury share really absorbs a remainder');
    const before = { alice: await c.balance('DimoToken', alice.address), node: await c.balance('DimoToken', node.address), treasury: await c.balance('DimoToken', treasury) };
    await c.fund(app, amount, 'DimoPay');
    const receipt = await c.write(app, 'DimoPay', 'pay', [id, 3n, c.addr.DimoToken]);
    const now = await c.now();
    const events = c.events(receipt, 'DimoPay');
    assert.deepEqual(oneEvent(events, 'PaymentMade'), { paymentId: 1n, subscriptionId: id, payer: app.address, token: c.addr.DimoToken, amount, dimoValue: amount, periods: 3n, paidUntil: now + 3n * PERIOD });
    assert.deepEqual(oneEvent(events, 'PaymentSplit'), { paymentId: 1n, owner: alice.address, node: node.address, treasury, ownerShare: o, nodeShare: n, treasuryShare: t });
    assert.equal(await c.balance('DimoToken', alice.address), before.alice + o);
    assert.equal(await c.balance('DimoToken', node.address), before.node + n);
    assert.equal(await c.balance('DimoToken', treasury), before.treasury + t);
    assert.equal(await c.balance('DimoToken', app.address), 0n);
    assert.equal(await c.read('DimoPay', 'isCurrent', [id]), true);

    // Paying again before the end extends from the end; after a lapse, from now.
    await c.fund(app, price, 'DimoPay');
    let next = await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    assert.equal(oneEvent(c.events(next, 'DimoPay'), 'PaymentMade').paidUntil, now + 4n * PERIOD);
    await c.mineAt(now + 4n * PERIOD);
    assert.equal(await c.read('DimoPay', 'isCurrent', [id]), false, 'lapsed');
    await c.fund(app, price, 'DimoPay');
    next = await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    assert.equal(oneEvent(c.events(next, 'DimoPay'), 'PaymentMade').paidUntil, (await c.now()) + PERIOD);
  });

  it('the owner share follows the vehicle to its new owner', async () => {
    const { app, alice, bob } = c.actors;
    const id = await subscribe(E18);
    await c.write(alice, 'VehicleId', 'transferFrom', [alice.address, bob.address, vehicleId]);
    await c.fund(app, E18, 'DimoPay');
    const receipt = await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    assert.equal(oneEvent(c.events(receipt, 'DimoPay'), 'PaymentSplit').owner, bob.address);
    assert.equal(await c.balance('DimoToken', bob.address), (E18 * 7_000n) / 10_000n);
  });

  it('in the stable token: converted by the feed (rounded up), then split', async () => {
    const { app, alice, node } = c.actors;
    const treasury = c.addr.DimoTimelock;
    const price = 1_234_567_891_234_567_891n;
    const id = await subscribe(price);
    const [feedPrice] = await c.read<[bigint, bigint]>('PriceFeed', 'priceOf', [c.addr.StableToken]);
    assert.equal(feedPrice, 100_000n * E18, 'local feed: 1 DIMO = 0.10 USDC');
    const dimoValue = price * 2n;
    const usdc = (dimoValue * feedPrice + 10n ** 36n - 1n) / 10n ** 36n; // ceil
    assert.equal(usdc, 246_914n, '2.469135782469135782 DIMO at $0.10 → 0.246914 USDC, rounded up');
    assert.equal(await c.read('DimoPay', 'quote', [id, 2n, c.addr.StableToken]), usdc);
    await c.write(app, 'StableToken', 'mint', [app.address, usdc]);
    await c.write(app, 'StableToken', 'approve', [c.addr.DimoPay, usdc]);
    const receipt = await c.write(app, 'DimoPay', 'pay', [id, 2n, c.addr.StableToken]);
    const [o, n, t] = split(usdc, 7_000n, 2_000n);
    assert.deepEqual([o, n, t], [172_839n, 49_382n, 24_693n]);
    const events = c.events(receipt, 'DimoPay');
    const made = oneEvent(events, 'PaymentMade');
    assert.equal(made.token, c.addr.StableToken);
    assert.equal(made.amount, usdc);
    assert.equal(made.dimoValue, dimoValue);
    assert.deepEqual(oneEvent(events, 'PaymentSplit'), { paymentId: 1n, owner: alice.address, node: node.address, treasury, ownerShare: o, nodeShare: n, treasuryShare: t });
    assert.equal(await c.balance('StableToken', alice.address), o);
    assert.equal(await c.balance('StableToken', node.address), n);
    assert.equal(await c.balance('StableToken', treasury), t);
    assert.equal(await c.balance('StableToken', app.address), 0n);

    // Governance moves the price; the next quote follows.
    await expectRevert(c.write(c.actors.admin, 'PriceFeed', 'setPrice', [c.addr.StableToken, 1n]), 'AccessControlUnauthorizedAccount', [c.actors.admin.address, roleId('GOVERNANCE_ROLE')]);
    const set = await c.write(c.governance, 'PriceFeed', 'setPrice', [c.addr.StableToken, 250_000n * E18]);
    const ev = oneEvent(c.events(set, 'PriceFeed'), 'PriceSet');
    assert.equal(ev.priceE18, 250_000n * E18);
    assert.equal(await c.read('DimoPay', 'quote', [id, 1n, c.addr.StableToken]), (price * 250_000n * E18 + 10n ** 36n - 1n) / 10n ** 36n);
    await expectRevert(c.write(c.governance, 'PriceFeed', 'setPrice', [c.addr.DimoToken, 1n]), 'DimoPriceFixed');
  });

  it('refuses unpriced tokens, inactive licenses, cancelled subscriptions and bad period counts', async () => {
    const { app, admin, alice, stranger } = c.actors;
    const id = await subscribe(E18);
    await c.fund(app, 10n * E18, 'DimoPay');
    await expectRevert(c.write(app, 'DimoPay', 'pay', [id, 1n, c.actors.dave.address]), 'PriceUnavailable', [c.actors.dave.address], c.artifacts.PriceFeed!.abi);
    await expectRevert(c.write(app, 'DimoPay', 'pay', [id, 0n, c.addr.DimoToken]), 'InvalidParameter');
    await expectRevert(c.write(app, 'DimoPay', 'pay', [id, 121n, c.addr.DimoToken]), 'InvalidParameter');
    await expectRevert(c.write(app, 'DimoPay', 'pay', [99n, 1n, c.addr.DimoToken]), 'SubscriptionNotActive', [99n]);
    await c.write(admin, 'Licenses', 'suspend', [nodeId, 'down']);
    await expectRevert(c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]), 'LicenseInactive', [nodeId]);
    await c.write(admin, 'Licenses', 'unsuspend', [nodeId, 'up']);
    await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    // Cancel: the app or the vehicle owner; coverage ends at once, no refund.
    await expectRevert(c.write(stranger, 'DimoPay', 'cancel', [id]), 'Unauthorized', [stranger.address]);
    const receipt = await c.write(alice, 'DimoPay', 'cancel', [id]);
    assert.deepEqual(oneEvent(c.events(receipt, 'DimoPay'), 'SubscriptionCancelled'), { subscriptionId: id, by: alice.address, end: await c.now() });
    assert.equal(await c.read('DimoPay', 'isCurrent', [id]), false);
    assert.equal((await c.read<{ status: number }>('DimoPay', 'subscription', [id])).status, 2);
    await expectRevert(c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]), 'SubscriptionNotActive', [id]);
    await expectRevert(c.write(app, 'DimoPay', 'cancel', [id]), 'SubscriptionNotActive');
  });
});

describe('governance parameters', () => {
  it('split, price floor, period and treasury are set by governance only', async () => {
    const { admin, app } = c.actors;
    await expectRevert(c.write(admin, 'DimoPay', 'setSplit', [5_000, 5_000, 0]), 'AccessControlUnauthorizedAccount');
    await expectRevert(c.write(c.governance, 'DimoPay', 'setSplit', [5_000, 4_000, 999]), 'InvalidSplit');
    const receipt = await c.write(c.governance, 'DimoPay', 'setSplit', [3_333, 3_333, 3_334]);
    assert.deepEqual(oneEvent(c.events(receipt, 'DimoPay'), 'SplitSet'), { ownerBps: 3_333, nodeBps: 3_333, treasuryBps: 3_334 });
    // 3 DIMO-wei ... 7 wei payment: owner 2, node 2, treasury 3 (remainder).
    await c.write(c.governance, 'DimoPay', 'setMinPricePerPeriod', [7n]);
    await c.write(c.governance, 'DimoPay', 'setPeriod', [DAY]);
    const id = await subscribe(7n);
    assert.deepEqual(await c.read('DimoPay', 'splitAmount', [7n]), [2n, 2n, 3n]);
    await c.fund(app, 7n, 'DimoPay');
    const paid = await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    const ev = oneEvent(c.events(paid, 'DimoPay'), 'PaymentSplit');
    assert.deepEqual([ev.ownerShare, ev.nodeShare, ev.treasuryShare], [2n, 2n, 3n]);
    assert.equal(oneEvent(c.events(paid, 'DimoPay'), 'PaymentMade').paidUntil, (await c.now()) + DAY);
    await expectRevert(c.write(c.governance, 'DimoPay', 'setPeriod', [0n]), 'InvalidParameter');
    await expectRevert(c.write(admin, 'DimoPay', 'setTreasury', [admin.address]), 'AccessControlUnauthorizedAccount');
    await c.write(c.governance, 'DimoPay', 'setTreasury', [c.actors.carol.address]);
    await c.fund(app, 7n, 'DimoPay');
    await c.write(app, 'DimoPay', 'pay', [id, 1n, c.addr.DimoToken]);
    assert.equal(await c.balance('DimoToken', c.actors.carol.address), 3n);
  });
});
