// The migration list's shape, and that the portable column helpers give the same values on both dialects.
import assert from 'node:assert/strict';
import { it, test } from 'node:test';
import type { Kysely } from 'kysely';
import { describeBothStores } from '../../../test/support/postgres.ts';
import { migrations } from './index.ts';
import { addAutoIdColumn, bigintType, bytesType, dialectOf, jsonType } from './types.ts';

test('migration names are NNNN_snake_case, unique by number, and every one can be undone', () => {
  const names = Object.keys(migrations);
  for (const name of names) {
    assert.match(name, /^\d{4}_[a-z0-9_]+$/, name);
    assert.equal(typeof migrations[name]?.down, 'function', `${name} has down()`);
  }
  const numbers = names.map((n) => n.slice(0, 4));
  assert.equal(new Set(numbers).size, numbers.length, 'no two migrations share a number');
});

const helperMigration = {
  '0001_node_meta': migrations['0001_node_meta']!,
  '0002_helpers': {
    up: async (db: Kysely<any>) => {
      const dialect = dialectOf(db);
      await addAutoIdColumn(db.schema.createTable('t_helpers'), 'id', dialect)
        .addColumn('bytes', bytesType(dialect), (c) => c.notNull())
        .addColumn('doc', jsonType(dialect), (c) => c.notNull())
        .addColumn('at', bigintType(dialect), (c) => c.notNull())
        .execute();
    },
  },
};

describeBothStores('migration column helpers', (target) => {
  it('dialectOf tells the dialect inside a migration', async () => {
    let seen: string | undefined;
    await target.open({ migrations: { '0001_probe': { up: async (db) => void (seen = dialectOf(db)) } } });
    assert.equal(seen, target.dialect);
  });

  it('bytes, json, bigint and auto ids read back the same on both dialects', async () => {
    const { db } = await target.open({ migrations: helperMigration });
    const any = db as unknown as Kysely<any>;
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    const doc = JSON.stringify({ a: [1, 2], b: 'x' });
    const at = Date.UTC(2026, 0, 1);
    const inserted = await any.insertInto('t_helpers').values([{ bytes, doc, at }, { bytes, doc, at: at + 1 }]).returning('id').execute();
    assert.deepEqual(inserted.map((r) => r.id), [1, 2]);
    await any.deleteFrom('t_helpers').where('id', '=', 2).execute();
    const next = await any.insertInto('t_helpers').values({ bytes, doc, at }).returning('id').executeTakeFirstOrThrow();
    assert.equal(next.id, 3, 'ids are never reused');
    const row = await any.selectFrom('t_helpers').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    assert.ok(Buffer.isBuffer(row.bytes));
    assert.deepEqual(row, { id: 1, bytes, doc: row.doc, at });
    assert.deepEqual(JSON.parse(row.doc), { a: [1, 2], b: 'x' });
    assert.equal(typeof row.doc, 'string');
  });

  it('down() of every migration undoes it', async () => {
    const store = await target.open();
    for (const name of Object.keys(migrations).sort().reverse()) await migrations[name]!.down!(store.db as unknown as Kysely<any>);
    const left = (await store.db.introspection.getTables()).map((t) => t.name);
    assert.deepEqual(left, []);
  });
});
