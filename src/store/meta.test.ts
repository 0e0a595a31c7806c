import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeBothStores } from '../../test/support/postgres.ts';
import { ensureMeta, getMeta, setMeta } from './meta.ts';

const T0 = Date.UTC(2026, 0, 1);

describeBothStores('node_meta accessors', (target) => {
  it('reads undefined for a missing key, then what was set, then the overwrite', async () => {
    const { db } = await target.open();
    assert.equal(await getMeta(db, 'node_id'), undefined);
    await setMeta(db, 'node_id', 'first', T0);
    assert.equal(await getMeta(db, 'node_id'), 'first');
    await setMeta(db, 'node_id', 'second', T0 + 1000);
    assert.equal(await getMeta(db, 'node_id'), 'second');
    const rows = await db.selectFrom('node_meta').selectAll().execute();
    assert.deepEqual(rows, [{ key: 'node_id', value: 'second', updated_at: T0 + 1000 }]);
  });

  it('ensureMeta keeps the first value even when racing', async () => {
    const { db } = await target.open();
    const results = await Promise.all(['a', 'b', 'c'].map((v, i) => ensureMeta(db, 'first_start', v, T0 + i)));
    assert.equal(new Set(results).size, 1);
    assert.equal(await ensureMeta(db, 'first_start', 'later', T0 + 10), results[0]);
    assert.equal(await getMeta(db, 'first_start'), results[0]);
  });

  it('setMeta works inside a transaction and rolls back with it', async () => {
    const { db } = await target.open();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await setMeta(trx, 'k', 'v', T0);
        assert.equal(await getMeta(trx, 'k'), 'v');
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await getMeta(db, 'k'), undefined);
  });
});
