// The whole pipeline on both stores: stored, duplicate and rejected events, per-signal errors, and the
// vault read back, on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { HARNESS_T0, startHarness } from './support/ingest-harness.ts';
import { describeBothStores } from './support/postgres.ts';

const T = new Date(HARNESS_T0 - 30_000).toISOString();

describeBothStores('ingest pipeline', (target) => {
  it('stores, deduplicates, rejects and reads back', async () => {
    const store = await target.open();
    const h = await startHarness({ devices: 2, store });
    try {
      const [d0, d1] = [h.devices[0]!, h.devices[1]!];
      const mixed = twentySignals(T, 2);
      mixed.signals[0] = { name: 'speed', timestamp: T, value: 'fast' as unknown as number };
      const events = [
        signedEvent(d0, { id: 'a', time: T, data: twentySignals(T, 1) }),
        signedEvent(d1, { id: 'b', time: T, data: mixed }),
        signedEvent(d0, { id: 'a', time: T, data: twentySignals(T, 1) }),
        signedEvent(d0, { id: 'c', time: T, data: twentySignals(T, 3) }).replace('"value":', '"value":7'),
      ];
      const [results] = await h.svc.pipeline.ingest([Buffer.from(`[${events.join(',')}]`)], { transport: 'http' });
      assert.deepEqual(results!.map((r) => [r.status, r.code ?? null]), [['stored', null], ['stored', null], ['duplicate', null], ['rejected', 'ODM_ERR_SIGNATURE_INVALID']]);
      assert.deepEqual(results![1]!.errors?.map((e) => e.code), ['ODM_ERR_SIGNAL_TYPE']);
      const [again] = await h.svc.pipeline.ingest([Buffer.from(events[1]!)], { transport: 'http' });
      assert.equal(again![0]!.status, 'duplicate');
      assert.equal(await h.svc.vault.flush(), 2);
      assert.deepEqual((await h.svc.vault.reader.events(String(d0.vehicleTokenId), 1)).map((e) => e.id), ['a']);
      assert.equal((await h.svc.vault.reader.latest(String(d1.vehicleTokenId), 1))?.signals.speed, undefined, 'the bad speed was not stored');
      assert.equal((await h.svc.vault.reader.latestLocation(String(d1.vehicleTokenId), 1))?.point?.[1], 52.52 + 2 / 1000);
    } finally {
      await h.close();
    }
  });
});
