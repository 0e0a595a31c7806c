// The owner's retention setting over real HTTP on a real node: owner token required, GET/PUT round trip,
// the boundary's codes for bad values, and the change in the owner's activity log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { startDashboardNode, type DashboardNode } from '../web/support/dashboard-node.ts';

let n: DashboardNode;
before(async () => {
  n = await startDashboardNode();
});
after(() => n?.stop());

describe('GET/PUT /v1/owner/retention', () => {
  it('needs the owner token, round-trips days or null, and refuses bad values with stable codes', async () => {
    const none = await n.call('GET', '/v1/owner/retention');
    assert.deepEqual([none.status, none.json.code], [401, 'ODM_ERR_AUTH_REQUIRED']);
    assert.equal((await n.call('PUT', '/v1/owner/retention', { body: { days: 7 } })).status, 401);

    const account = privateKeyToAccount(generatePrivateKey());
    const token = await n.signIn(account);
    assert.deepEqual((await n.call('GET', '/v1/owner/retention', { token })).json, { days: null, min: 1, max: 3650 });

    const set = await n.call('PUT', '/v1/owner/retention', { token, body: { days: 30 } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.days, 30);
    assert.equal((await n.call('GET', '/v1/owner/retention', { token })).json.days, 30);
    const row = await n.node.services.store.db.selectFrom('owner_retention').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([row.owner, row.days], [account.address.toLowerCase(), 30]);

    for (const days of [0, -3, 2.5, 3651, '30', true]) {
      const r = await n.call('PUT', '/v1/owner/retention', { token, body: { days } });
      assert.deepEqual([r.status, r.json.code], [400, 'ODM_ERR_RETENTION_INVALID'], JSON.stringify(days));
    }
    for (const body of [{}, { days: 3, extra: 1 }, [3]]) {
      const r = await n.call('PUT', '/v1/owner/retention', { token, body });
      assert.deepEqual([r.status, r.json.code], [400, 'ODM_ERR_VALIDATION'], JSON.stringify(body));
    }
    assert.equal((await n.call('GET', '/v1/owner/retention', { token })).json.days, 30, 'refused values change nothing');

    assert.equal((await n.call('PUT', '/v1/owner/retention', { token, body: { days: null } })).json.days, null);
    assert.equal((await n.call('GET', '/v1/owner/retention', { token })).json.days, null);

    const { entries } = await getActivityLog(n.node.services).list(account.address, { kinds: ['privacy'], order: 'asc' });
    assert.deepEqual(entries.map((e) => e.detail?.retentionDays), [30, null]);
  });
});
