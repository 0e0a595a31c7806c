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
    await store.enqueue({ id: d(1), webhookId: A, vehicleId: '7', ownerVersion: 1, eventId: 'e1', bodyCt: body, at: 100 });
    await store.enqueue({ id: d(2), webhookId: A, vehicleId: '7', ownerVersion: 1, eventId: 'e2', bodyCt: body, at: 200 });
    await store.enqueue({ id: d(3), webhookId: B, vehicleId: '7', ownerVersion: 1, eventId: 'e3', bodyCt: body, at: 50 });
    assert.deepEqual((await store.fires()).map((f) => [f.webhook_id, f.vehicle_id, Number(f.fired_at)]).sort(), [[A, '7', 200], [B, '7', 50]]);

    assert.deepEqual((await store.due(150, 10, new Set())).map((r) => r.id), [d(1)], 'due, enabled webhooks only');
    assert.deepEqual((await store.due(300, 10, new Set([d(1)]))).map((r) => r.id), [d(2)]);
    assert.equal(await store.nextDueAt(new Set()), 100);
    assert.equal(await store.nextDueAt(new Set([d(1)])), 200);
    await store.settle(d(1), { status: 'pending', attempts: 1, at: 160, nextAttemptAt: 1000, httpStatus: 500, error: 'HTTP 500' });
    await store.postpone(d(2), 900);
    assert.equal(await store.nextDueAt(new Set()), 900);
    await store.settle(d(2), { status: 'delivered', attempts: 1, at: 950, httpStatus: 200, error: null });
    const log = await store.deliveries(A, { limit: 10 });
    assert.deepEqual(log.map((r) => [r.id, r.status, r.attempts, r.last_status, r.body_ct === null]), [[d(2), 'delivered', 1, 200, true], [d(1), 'pending', 1, 500, false]]);
    const page = await store.deliveries(A, { limit: 1, before: { at: 200, id: d(2) } });
    assert.deepEqual(page.map((r) => r.id), [d(1)]);
    assert.deepEqual((await store.deliveries(A, { limit: 10, status: 'pending' })).map((r) => r.id), [d(1)]);

    assert.equal(await store.prune(300), 1, 'only finished deliveries are pruned');
    await store.delete(A);
    assert.equal(await store.get(A), undefined);
    assert.deepEqual(await store.deliveries(A, { limit: 10 }), []);
    assert.equal((await store.subscriptions()).length, 0);
  });
});
