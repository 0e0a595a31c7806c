// The webhook tables on SQLite and PostgreSQL: the same queue and log behaviour on both.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { WebhookRow } from '../../src/webhooks/webhook-store.ts';
import { WebhookStore } from '../../src/webhooks/webhook-store.ts';
import { describeBothStores } from '../support/postgres.ts';

const row = (id: string, status: 'enabled' | 'disabled' = 'enabled'): WebhookRow => ({
  id, license_id: '5', grantee: '0x' + '22'.repeat(20), service: 'telemetry.signals', metric_name: 'speed', condition: 'valueNumber > 1', cooldown_s: 0,
  target_url: 'http://127.0.0.1:1/x', status, disabled_reason: null, failure_count: 0, display_name: id, description: '', secret_ct: Buffer.from([1, 2, 3]), created_at: 1, updated_at: 1,
});
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const d = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describeBothStores('webhook store', (target) => {
  it('keeps webhooks, subscriptions, fires and the delivery queue', async () => {
    const store = new WebhookStore((await target.open()).db);
    await store.insert(row(A));
    await store.insert(row(B, 'disabled'));
    assert.equal(await store.countForLicense('5'), 2);
    assert.equal(await store.addFailure(A, 2), 1);
    assert.equal(await store.addFailure(A, 3), 2);
    assert.equal(await store.disableAfterFailures(A, 3, 'x', 3), false, 'below the limit');
    assert.equal(await store.resetFailures(A, 3), true);
    assert.equal(await store.resetFailures(A, 3), false);
    await Promise.all([1, 2, 3].map((n) => store.addFailure(A, n)));
    assert.equal((await store.get(A))!.failure_count, 3, 'concurrent failures all count');
    assert.deepEqual(await Promise.all([store.disableAfterFailures(A, 3, 'x', 4), store.disableAfterFailures(A, 3, 'x', 4)]).then((r) => r.sort()), [false, true]);
    await store.update(A, { status: 'enabled' });
    await store.update(A, { failure_count: 0, disabled_reason: null, updated_at: 4 });
    assert.equal((await store.get(A))!.failure_count, 0);
    assert.deepEqual((await store.get(A))!.secret_ct, Buffer.from([1, 2, 3]));

    await store.subscribe(A, '7', 10);
    await store.subscribe(A, '7', 11);
    await store.subscribe(A, '8', 12);
    assert.equal((await store.subscriptions()).length, 2);
    assert.equal(await store.unsubscribe(A, ['8']), 1);
    assert.equal(await store.unsubscribe(A, []), 0);

    const body = Buffer.from('sealed');
    const fire = (n: number, hook: string, at: number, cooldownMs = 0) => store.enqueue({ id: d(n), webhookId: hook, vehicleId: '7', ownerVersion: 1, eventId: `e${n}`, bodyCt: body, at, cooldownMs });
    assert.equal(await fire(1, A, 100), true);
    assert.equal(await fire(2, A, 200, 100), true);
    assert.equal(await fire(9, A, 250, 100), false, 'within the cooldown of the fire at 200: nothing written');
    assert.equal(await fire(3, B, 50, 1000), true);
    assert.deepEqual((await store.fires()).map((f) => [f.webhook_id, f.vehicle_id, Number(f.fired_at)]).sort(), [[A, '7', 200], [B, '7', 50]]);

    assert.deepEqual((await store.claim('p1', 150, 1000, 10, new Set())).map((r) => r.id), [d(1)], 'due, enabled webhooks only');
    assert.deepEqual((await store.claim('p2', 300, 1000, 10, new Set())).map((r) => r.id), [d(2)], 'd1 is held by p1');
    assert.equal(await store.nextDueAt(300, new Set()), undefined, 'held deliveries are not due for others');
    assert.deepEqual((await store.claim('p2', 1200, 1000, 10, new Set())).map((r) => r.id), [d(1)], "p1's lease lapsed at 1150");
    assert.equal(await store.settle(d(1), 'p1', { status: 'delivered', attempts: 1, at: 1200, httpStatus: 200, error: null }), false, 'p1 no longer holds d1');
    assert.equal(await store.settle(d(1), 'p2', { status: 'pending', attempts: 1, at: 1210, nextAttemptAt: 3000, httpStatus: 500, error: 'HTTP 500' }), true);
    await store.postpone(d(2), 'p2', 2900);
    assert.equal(await store.nextDueAt(1300, new Set()), 2900);
    assert.deepEqual((await store.claim('p3', 3000, 1000, 10, new Set([d(1)]))).map((r) => r.id), [d(2)]);
    await store.release('p3');
    assert.deepEqual((await store.claim('p1', 3000, 1000, 10, new Set())).map((r) => r.id).sort(), [d(1), d(2)], 'released claims are free at once');
    await store.settle(d(2), 'p1', { status: 'delivered', attempts: 1, at: 950, httpStatus: 200, error: null });
    await store.settle(d(1), 'p1', { status: 'pending', attempts: 1, at: 3000, nextAttemptAt: 1000, httpStatus: 500, error: 'HTTP 500' });
    const log = await store.deliveries(A, { limit: 10 });
    assert.deepEqual(log.map((r) => [r.id, r.status, r.attempts, r.last_status, r.body_ct === null]), [[d(2), 'delivered', 1, 200, true], [d(1), 'pending', 1, 500, false]]);
    const page = await store.deliveries(A, { limit: 1, before: { at: 200, id: d(2) } });
    assert.deepEqual(page.map((r) => r.id), [d(1)]);
    assert.deepEqual((await store.deliveries(A, { limit: 10, status: 'pending' })).map((r) => r.id), [d(1)]);

    const prev = { vehicle_id: '7', signal: 'speed', owner_version: 1, sample_ts: 500, value_ct: Buffer.from('p500'), updated_at: 10 };
    await store.savePrevious(prev);
    await store.savePrevious({ ...prev, sample_ts: 400, value_ct: Buffer.from('p400') });
    assert.deepEqual((await store.previous('7', ['speed', 'rpm'])).map((r) => [Number(r.sample_ts), Buffer.from(r.value_ct).toString()]), [[500, 'p500']], 'an older sample never replaces a newer one');
    await store.savePrevious({ ...prev, owner_version: 2, sample_ts: 1, value_ct: Buffer.from('v2') });
    assert.deepEqual((await store.previous('7', ['speed'])).map((r) => [r.owner_version, Buffer.from(r.value_ct).toString()]), [[2, 'v2']], "a new owner's sample replaces the old owner's");

    assert.equal(await store.prune(300), 1, 'only finished deliveries are pruned');
    await store.delete(A);
    assert.equal(await store.get(A), undefined);
    assert.deepEqual(await store.deliveries(A, { limit: 10 }), []);
    assert.equal((await store.subscriptions()).length, 0);
  });
});
