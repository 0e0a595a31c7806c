// The activity log over real HTTP on a real node: what the chain does (mint, grant, revoke) shows up in
// the owner's log on its own, app accesses appended by other modules show up too, filters and paging
// work on the wire, the chain verifies, and an owner's token reads that owner's log and no other.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { startOwnerNode, type OwnerNode } from './support/owner-node.ts';

let n: OwnerNode;
before(async () => {
  n = await startOwnerNode();
});
after(() => n?.stop());

it('records mint, grant and revoke from the chain; serves, filters, pages and verifies each owner\'s own log', async () => {
  const { alice, bob, app } = n.chain.actors;
  const [aliceToken, bobToken] = [await n.signIn(alice), await n.signIn(bob)];

  const vehicleId = await n.chain.mintVehicle(alice);
  await n.chain.grant(alice, vehicleId, app.address, [1, 6]);
  await n.chain.revoke(alice, vehicleId, app.address);
  const bobsCar = await n.chain.mintVehicle(bob);
  await n.mirrored();

  const chainLog = await n.call('GET', '/v1/activity?order=asc', { token: aliceToken });
  assert.equal(chainLog.status, 200, JSON.stringify(chainLog.json));
  const mine = chainLog.json.entries.filter((e: { vehicleId?: string }) => e.vehicleId === String(vehicleId));
  assert.deepEqual(mine.map((e: { kind: string }) => e.kind), ['connect', 'grant', 'revoke']);
  assert.deepEqual(mine[1].app, { address: app.address.toLowerCase() });
  assert.deepEqual(mine[1].privileges, [1, 6]);
  assert.equal(mine[2].detail.reason, 'revoked');

  // Another module records an app's reads through getActivityLog(services).
  const log = getActivityLog(n.node.services);
  const t0 = n.clock.now();
  await log.appendMany(Array.from({ length: 5 }, (_, i) => ({
    owner: alice.address, kind: 'read' as const, vehicleId, app: { licenseId: '12', address: app.address, name: 'Road Insights' },
    privileges: [1], at: t0 + i * 1000, detail: { query: 'signals', fields: 3 + i },
  })));
  await log.append({ owner: bob.address, kind: 'read', vehicleId: bobsCar, app: { licenseId: '12' }, detail: { query: 'signalsLatest' } });

  const reads = await n.call('GET', `/v1/activity?kind=read&vehicle=${vehicleId}&app=12&limit=2`, { token: aliceToken });
  assert.equal(reads.status, 200);
  assert.deepEqual(reads.json.entries.map((e: { detail: { fields: number } }) => e.detail.fields), [7, 6]);
  assert.equal(reads.json.entries[0].app.name, 'Road Insights');
  const page2 = await n.call('GET', `/v1/activity?kind=read&vehicle=${vehicleId}&app=12&limit=2&cursor=${reads.json.nextCursor}`, { token: aliceToken });
  assert.deepEqual(page2.json.entries.map((e: { detail: { fields: number } }) => e.detail.fields), [5, 4]);
  const byGrantee = await n.call('GET', `/v1/activity?app=${app.address}&kind=read,grant`, { token: aliceToken });
  assert.deepEqual(byGrantee.json.entries.map((e: { kind: string }) => e.kind), ['read', 'read', 'read', 'read', 'read', 'grant']);
  const window = await n.call('GET', `/v1/activity?kind=read&from=${new Date(t0 + 1000).toISOString()}&to=${t0 + 3000}`, { token: aliceToken });
  assert.deepEqual(window.json.entries.map((e: { detail: { fields: number } }) => e.detail.fields), [5, 4]);

  // Bob's token shows bob's log only, whatever he asks for.
  const bobs = await n.call('GET', `/v1/activity?vehicle=${vehicleId}`, { token: bobToken });
  assert.deepEqual(bobs.json.entries, []);
  const bobAll = await n.call('GET', '/v1/activity?owner=' + alice.address, { token: bobToken });
  assert.ok(bobAll.json.entries.length > 0);
  assert.ok(bobAll.json.entries.every((e: { vehicleId?: string }) => e.vehicleId === String(bobsCar)), JSON.stringify(bobAll.json.entries));

  const verified = await n.call('GET', '/v1/activity/verify', { token: aliceToken });
  assert.equal(verified.status, 200);
  assert.equal(verified.json.ok, true);
  assert.ok(verified.json.entries >= 8);
  assert.equal(verified.json.brokenAt, undefined);

  const anonymous = await n.call('GET', '/v1/activity');
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.json.code, 'ODM_ERR_AUTH_REQUIRED');
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer /);
  assert.equal((await n.call('GET', '/v1/activity/verify')).status, 401);
  for (const bad of ['kind=peek', 'limit=0', 'limit=9999', 'from=yesterday', 'vehicle=abc', 'order=sideways', 'cursor=x']) {
    const r = await n.call('GET', `/v1/activity?${bad}`, { token: aliceToken });
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.code, 'ODM_ERR_VALIDATION', bad);
  }
});
