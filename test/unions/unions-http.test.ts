// Data unions, anonymized aggregates, owners' rewards and licensing metrics over real HTTP on a real
// node: owners put vehicles in unions; a licensed app (EIP-191 signed request, license gate) gets a
// state-of-health release in which every group covers at least k vehicles and owners, the small group
// is suppressed and absent from the totals; the release is recorded and each contributing owner's
// activity log names it; leaving a union takes the vehicle out of the next release; owners read their
// rewards with claim proofs; the monthly licensing metrics carry users per client/node/app, the
// licensed parties and every decision with its reason.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { getIdentityLookup } from '../../src/identity/identity-lookup.ts';
import { getIngestService } from '../../src/ingest/ingest-capability.ts';
import { RewardsEngine } from '../../src/rewards/rewards-engine.ts';
import { getRewards } from '../../src/rewards/rewards-routes.ts';
import { INITIAL_STREAK } from '../../src/rewards/streak.ts';
import { getUnionsRuntime } from '../../src/unions/unions-runtime.ts';
import type { LogEvent } from '../../src/vault/log-record.ts';
import { MODEL_3 } from '../identity/support/identity-fixture.ts';
import { runCli } from '../support/cli-process.ts';
import { startUnionNode, type UnionNode } from './support/union-node.ts';

const E18 = 10n ** 18n;
let n: UnionNode;
before(async () => {
  n = await startUnionNode({ 'aggregates.k': 11 });
});
after(() => n?.stop());

async function mintFor(owner: LocalAccount, i: number): Promise<bigint> {
  const receipt = await n.chain.write(owner, 'VehicleId', 'mint', [{ ...MODEL_3, vinHash: keccak256(toHex(`vin ${i}`)) }]);
  return n.chain.events(receipt, 'VehicleId').find((e) => e.eventName === 'VehicleMinted')!.args.vehicleId as bigint;
}

it('releases k-anonymous aggregates to a licensed app, records them, and honours leaving a union', async () => {
  const { alice, bob, app, admin, provider, stranger } = n.chain.actors;
  const owners: LocalAccount[] = [alice, ...Array.from({ length: 12 }, () => privateKeyToAccount(generatePrivateKey()))];
  for (const o of owners.slice(1)) await n.fund(o.address);
  const vehicles: bigint[] = [];
  for (const [i, o] of owners.entries()) vehicles.push(await mintFor(o, i));
  const bobsCar = await mintFor(bob, 99);

  // An app license with its stake, so the gate lets the app in.
  const issued = await n.chain.write(admin, 'Licenses', 'issue', [app.address, 2, { legalName: 'Grid Planner Ltd', dba: 'GridPlan', website: 'https://gridplan.example', supportEmail: 'help@gridplan.example' }]);
  const appLicense = n.chain.events(issued, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!.args.licenseId as bigint;
  await n.chain.write(admin, 'DimoToken', 'mint', [app.address, 10_000n * E18]);
  await n.chain.write(app, 'DimoToken', 'approve', [n.chain.contracts.Licenses!, 10_000n * E18]);
  await n.chain.write(app, 'Licenses', 'stake', [appLicense, 10_000n * E18]);
  await n.mirrored();

  // Alice joins over HTTP; the other owners' choices go straight to the store. Twelve cars read 92 %,
  // one (the last) 81 %: a group of one, to be suppressed.
  const aliceToken = await n.signIn(alice);
  const put = await n.call('PUT', `/v1/vehicles/${vehicles[0]}/unions`, { token: aliceToken, body: { unions: ['battery-health', 'charging'] } });
  assert.equal(put.status, 200, JSON.stringify(put.json));
  assert.deepEqual(put.json, { tokenId: String(vehicles[0]), unions: ['battery-health', 'charging'], joined: ['battery-health', 'charging'], left: [] });
  const memberships = getUnionsRuntime(n.node.services).memberships;
  const version = (id: bigint) => getIdentityLookup(n.node.services).vehicle(id)!.version;
  for (const [i, o] of owners.entries()) if (i > 0) await memberships.set(String(vehicles[i]), version(vehicles[i]!), o.address.toLowerCase(), ['battery-health']);
  await memberships.set(String(bobsCar), version(bobsCar), bob.address.toLowerCase(), ['driving-patterns']);

  const ingest = getIngestService(n.node.services);
  const soh = ingest.catalog.signals.findIndex((s) => s.name === 'powertrainTractionBatteryStateOfHealth');
  const t = n.clock.now() - 60_000;
  const event = (vehicleId: bigint, owner: string, value: number): LogEvent => ({
    vehicleId: String(vehicleId), version: version(vehicleId), owner: owner.toLowerCase(), id: `soh-${vehicleId}`, source: '0xsource', type: 'dimo.status', time: t,
    producer: 'did:erc721:31337:0x0000000000000000000000000000000000000001:1', signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0',
    samples: [soh, t, value], locationSamples: [], points: [], extra: null, rejected: 0,
  });
  await ingest.vault.log.append([...owners.entries()].map(([i, o]) => ({
    event: event(vehicles[i]!, o.address, i === owners.length - 1 ? 81 : 92), dedupDay: Math.floor(t / 86_400_000), dedupHash: Buffer.from(`soh-${i}`.padEnd(16, '.')),
  })));
  await ingest.vault.flush();
  const month = new Date(t).toISOString().slice(0, 7);
  const path = `/v1/aggregates/soh-by-model-year?month=${month}`;

  const catalog = await n.call('GET', '/v1/aggregates');
  assert.equal(catalog.status, 200);
  assert.equal(catalog.json.k, 11);
  assert.deepEqual(catalog.json.datasets.map((d: { id: string }) => d.id), ['soh-by-model-year', 'charging-sessions-by-cell-hour', 'trips-by-region-day']);

  const first = await n.call('GET', path, { app });
  assert.equal(first.status, 200, JSON.stringify(first.json));
  assert.equal(first.json.k, 11);
  assert.deepEqual(first.json.groups, [{ key: { month, make: 'Tesla', model: 'Model 3', year: 2022, soh: '90-95' }, vehicles: 12 }]);
  assert.deepEqual(first.json.totals, { groups: 1, vehicles: 12 }, 'the suppressed 80–85 group is in no total');
  assert.ok(!JSON.stringify(first.json).includes('80-85'));

  // Recorded, with the suppressed group sealed away from the public view of the release.
  const releases = getUnionsRuntime(n.node.services).releases;
  const record = (await releases.get(first.json.releaseId))!;
  assert.equal(record.app.licenseId, String(appLicense));
  assert.equal(record.suppressedCount, 1);
  assert.equal(record.contributors, 12);
  assert.deepEqual(await releases.suppressed(first.json.releaseId), [{ key: { month, make: 'Tesla', model: 'Model 3', year: 2022, soh: '80-85' }, vehicles: 1, owners: 1 }]);
  const publicView = await n.call('GET', `/v1/aggregates/releases/${first.json.releaseId}`);
  assert.deepEqual(publicView.json.groups, first.json.groups);
  assert.equal(JSON.stringify(publicView.json).includes('80-85'), false);

  // Owners' activity logs name the release their vehicle went into; the suppressed owner's does not.
  const log = getActivityLog(n.node.services);
  const aggregateEntries = async (o: LocalAccount) => (await log.list(o.address, { kinds: ['aggregate'] })).entries;
  const [aliceEntry] = await aggregateEntries(alice);
  assert.equal(aliceEntry!.vehicleId, String(vehicles[0]));
  assert.deepEqual(aliceEntry!.app, { licenseId: String(appLicense), address: app.address.toLowerCase(), name: 'GridPlan' });
  assert.deepEqual(aliceEntry!.detail, { releaseId: first.json.releaseId, dataset: 'soh-by-model-year', params: { month }, groups: 1 });
  assert.equal((await aggregateEntries(owners.at(-1)!)).length, 0);
  const overHttp = await n.call('GET', '/v1/activity?kind=aggregate', { token: aliceToken });
  assert.equal(overHttp.json.entries[0].detail.releaseId, first.json.releaseId);

  // Alice leaves: her vehicle is not in the next release, and her log gains nothing from it.
  const left = await n.call('PUT', `/v1/vehicles/${vehicles[0]}/unions`, { token: aliceToken, body: { unions: ['charging'] } });
  assert.deepEqual(left.json.left, ['battery-health']);
  const second = await n.call('GET', path, { app });
  assert.equal(second.status, 200);
  assert.equal(second.json.groups[0].vehicles, 11);
  assert.equal((await aggregateEntries(alice)).length, 1);
  assert.equal((await releases.get(second.json.releaseId))!.contributors, 11);
  // One more leaves and the group falls below k: suppressed, so nothing at all is released.
  await memberships.set(String(vehicles[1]), version(vehicles[1]!), owners[1]!.address.toLowerCase(), []);
  const third = await n.call('GET', path, { app });
  assert.deepEqual(third.json.groups, []);
  assert.deepEqual(third.json.totals, { groups: 0, vehicles: 0 });

  // Who may ask: only an active app license; requests must be signed.
  assert.equal((await n.call('GET', path)).json.code, 'ODM_ERR_APP_AUTH');
  const strangerAsks = await n.call('GET', path, { app: stranger });
  assert.equal(strangerAsks.status, 403);
  assert.equal(strangerAsks.json.code, 'ODM_ERR_LICENSE_UNKNOWN');
  assert.equal((await n.call('GET', '/v1/aggregates/nope?month=2026-01', { app })).json.code, 'ODM_ERR_DATASET_UNKNOWN');
  assert.equal((await n.call('GET', '/v1/aggregates/soh-by-model-year?month=13', { app })).json.code, 'ODM_ERR_VALIDATION');

  // The owner's union routes.
  const listed = await n.call('GET', '/v1/unions', { token: aliceToken });
  assert.deepEqual(listed.json.unions.map((u: { id: string }) => u.id), ['battery-health', 'charging', 'driving-patterns']);
  assert.deepEqual(listed.json.vehicles, [{ tokenId: String(vehicles[0]), unions: ['charging'] }]);
  assert.equal((await n.call('PUT', `/v1/vehicles/${vehicles[0]}/unions`, { token: aliceToken, body: { unions: ['gossip'] } })).json.code, 'ODM_ERR_UNION_UNKNOWN');
  assert.equal((await n.call('PUT', `/v1/vehicles/${bobsCar}/unions`, { token: aliceToken, body: { unions: [] } })).json.code, 'ODM_ERR_NOT_OWNER');
  assert.equal((await n.call('GET', '/v1/unions')).status, 401);
  const privacyEntries = (await log.list(alice.address, { kinds: ['privacy'] })).entries.map((e) => e.detail);
  assert.deepEqual(privacyEntries.map((d) => d?.left), [['battery-health'], []]);

  // --- rewards: an owner sees earnings, reasons and the claim once the week's root is posted ---
  const rewards = getRewards(n.node.services);
  const engine = new RewardsEngine({
    rewards: rewards.store, clock: new ManualClock(Date.UTC(2030, 0, 1)), logger: silentLogger(),
    chain: {
      issuanceStartMs: async () => Date.UTC(2026, 0, 1),
      budget: async () => ({ budget: 1_000n * E18, minted: [] }),
      weekRoot: async () => ({ root: '0x' + '0'.repeat(64), total: 0n, claimed: 0n }),
      post: async () => ({ tx: '0xfeed', minted: [] }),
    },
    gather: async (week, start) => ({
      week, weekStart: start + week * 604_800_000, weekEnd: start + (week + 1) * 604_800_000,
      vehicles: [
        { vehicleId: String(vehicles[0]), owner: alice.address.toLowerCase(), vinHash: null, connected: true, kinds: ['aftermarket'], locationOptOut: true, unions: ['charging'], prior: { level: 2, weeks: 7, missed: 0 } },
        { vehicleId: String(bobsCar), owner: bob.address.toLowerCase(), vinHash: null, connected: true, kinds: ['software'], locationOptOut: false, unions: [], prior: INITIAL_STREAK },
      ],
    }),
  });
  await engine.compute(3, { post: true });
  const mine = await n.call('GET', '/v1/owner/rewards', { token: aliceToken });
  assert.equal(mine.status, 200, JSON.stringify(mine.json));
  const [entry] = mine.json.entries;
  assert.equal(entry.week, 3);
  assert.equal(entry.points, 4_000 + 1_000 - 1_250 + 250);
  assert.deepEqual(entry.reasons.map((r: { text: string }) => r.text), [
    'aftermarket device delivered data: +4,000 points',
    'streak level 2 (8 weeks): +1,000 points',
    'location sharing off (-25 %): -1,250 points',
    'member of the charging data union: +250 points',
  ]);
  assert.equal(BigInt(mine.json.earned), BigInt(entry.amount));
  assert.equal(entry.claim.contract, 'RewardsPayout');
  assert.equal(entry.claim.beneficiary, alice.address.toLowerCase());
  assert.equal(entry.claim.proof.length, 1);
  assert.equal(mine.json.rules.locationOptOutReductionPercent, 25);
  const week = await n.call('GET', '/v1/rewards/weeks/3');
  assert.equal(week.json.total, (1_000n * E18).toString());
  assert.equal(week.json.posted, true);
  assert.equal((await n.call('GET', '/v1/rewards/weeks/4')).json.code, 'ODM_ERR_REWARDS_NOT_COMPUTED');
  assert.equal((await n.call('GET', '/v1/owner/rewards')).status, 401);

  // --- licensing metrics ---
  const clientIssued = await n.chain.write(admin, 'Licenses', 'issue', [provider.address, 0, { legalName: 'Connect Co', dba: '', website: 'https://connect.example', supportEmail: 'support@connect.example' }]);
  const clientLicense = n.chain.events(clientIssued, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!.args.licenseId as bigint;
  const connection = await n.chain.mintConnection('Connect Co cloud');
  await n.chain.mintSynthetic(connection, vehicles[0]!, alice);
  await n.chain.grant(alice, vehicles[0]!, app.address, [1]);
  await n.chain.grant(bob, bobsCar, app.address, [1, 3]);
  await n.chain.write(admin, 'Licenses', 'setConnectedUsers', [1n, 3n]);
  await n.chain.write(admin, 'Licenses', 'suspend', [clientLicense, 'no support page']);
  await n.mirrored();
  // Blocks mined faster than one a second run ahead of the wall clock; the metrics count what happened by now.
  n.clock.set(Math.max(n.clock.now(), Number(await n.chain.now()) * 1000 + 1000));
  const metrics = await n.call('GET', '/v1/metrics/licensing');
  assert.equal(metrics.status, 200, JSON.stringify(metrics.json));
  const m = metrics.json;
  assert.equal(m.month, new Date(n.clock.now()).toISOString().slice(0, 7));
  assert.equal(m.final, false);
  assert.deepEqual(Object.keys(m).sort(), ['asOf', 'decisions', 'definitions', 'final', 'from', 'generatedAt', 'licensedParties', 'month', 'optedInUsersPerNode', 'publishedAt', 'to', 'totals', 'usersPerApp', 'usersPerClient']);
  assert.deepEqual(m.usersPerApp, [{ licenseId: String(appLicense), businessName: 'Grid Planner Ltd', status: 'active', users: 2 }]);
  assert.deepEqual(m.usersPerClient, [{ licenseId: String(clientLicense), businessName: 'Connect Co', status: 'suspended', users: 1 }]);
  assert.deepEqual(m.optedInUsersPerNode, [{ licenseId: '1', businessName: 'Local opendimo node', status: 'active', users: 3 }]);
  const gridPlan = m.licensedParties.find((p: { licenseId: string }) => p.licenseId === String(appLicense));
  assert.deepEqual(
    { businessName: gridPlan.businessName, dba: gridPlan.dba, website: gridPlan.website, supportEmail: gridPlan.supportEmail, kind: gridPlan.kind },
    { businessName: 'Grid Planner Ltd', dba: 'GridPlan', website: 'https://gridplan.example', supportEmail: 'help@gridplan.example', kind: 'app' },
  );
  const suspension = m.decisions.find((d: { decision: string }) => d.decision === 'status');
  assert.deepEqual(
    { licenseId: suspension.licenseId, status: suspension.status, previousStatus: suspension.previousStatus, reason: suspension.reason, businessName: suspension.businessName, by: suspension.by },
    { licenseId: String(clientLicense), status: 'suspended', previousStatus: 'active', reason: 'no support page', businessName: 'Connect Co', by: admin.address.toLowerCase() },
  );
  assert.ok(m.decisions.some((d: { decision: string; licenseId: string }) => d.decision === 'issued' && d.licenseId === String(appLicense)));
  assert.equal(m.totals.decisions, m.decisions.length);
  // A past month is frozen when first published and answers the same afterwards; the future is refused.
  const past = await n.call('GET', '/v1/metrics/licensing?month=2025-01');
  assert.equal(past.json.final, true);
  assert.deepEqual(past.json.decisions, []);
  assert.deepEqual((await n.call('GET', '/v1/metrics/licensing?month=2025-01')).json, past.json);
  assert.equal((await n.call('GET', '/v1/metrics/licensing?month=2999-01')).json.code, 'ODM_ERR_VALIDATION');
  assert.equal((await n.call('GET', '/v1/metrics/licensing?month=jan')).json.code, 'ODM_ERR_VALIDATION');

  // The CLI prints what the node publishes.
  const cliJson = runCli(['metrics', 'licensing', '--url', n.node.urls.http, '--json']);
  assert.equal((await cliJson.exited).code, 0, cliJson.output());
  assert.deepEqual(JSON.parse(cliJson.output()), (await n.call('GET', '/v1/metrics/licensing')).json);
  const cliText = runCli(['metrics', 'licensing', '--url', n.node.urls.http, '--month', '2025-01']);
  assert.equal((await cliText.exited).code, 0, cliText.output());
  assert.match(cliText.output(), /licensing metrics for 2025-01 \(final\)/);
  assert.match(cliText.output(), /users per app:/);
});
