// Undo-logged writes to mirror tables. Every change a block makes is recorded with the row's previous
// value in chain_undo, in the same transaction, so a reorg can restore the exact earlier state.
import type { Kysely, Transaction } from 'kysely';
import { OdmError } from '../../core/errors.ts';
import type { Database } from '../../store/schema.ts';
import type { BlockRef, MirrorTable, MirrorTableName, MirrorWriter, Row, RowChange } from './indexer-types.ts';

export class TableRegistry {
  readonly #tables = new Map<string, readonly string[]>();

  add(tables: readonly MirrorTable[]): void {
    for (const t of tables) {
      if (t.key.length === 0) throw new OdmError('ODM_ERR_INDEXER_CONFIG', `mirror table ${t.name} needs key columns`);
      this.#tables.set(t.name, t.key);
    }
  }

  names(): string[] {
    return [...this.#tables.keys()];
  }

  keyOf(table: string): readonly string[] {
    const key = this.#tables.get(table);
    if (!key) throw new OdmError('ODM_ERR_INDEXER_CONFIG', `${table} is not a registered mirror table`, { details: { table } });
    return key;
  }

  /** The key columns of `row`, in key order; every one must be present. */
  pickKey(table: string, row: Row): Row {
    const key: Row = {};
    for (const col of this.keyOf(table)) {
      const value = row[col];
      if (value === undefined || value === null) {
        throw new OdmError('ODM_ERR_INDEXER_CONFIG', `a ${table} row needs its key column ${col}`, { details: { table, column: col } });
      }
      key[col] = value;
    }
    return key;
  }
}

export function createMirrorWriter(trx: Transaction<Database>, tables: TableRegistry, cursor: string, block: BlockRef): { writer: MirrorWriter; changes: RowChange[] } {
  const db = trx as unknown as Kysely<any>;
  const changes: RowChange[] = [];
  const blockNumber = Number(block.number);

  const select = async (table: MirrorTableName, key: Row): Promise<Row | undefined> => {
    let q = db.selectFrom(table).selectAll();
    for (const [col, value] of Object.entries(key)) q = q.where(col, '=', value);
    return (await q.executeTakeFirst()) as Row | undefined;
  };
  const record = async (table: MirrorTableName, key: Row, before: Row | undefined, after: Row | undefined): Promise<void> => {
    await db
      .insertInto('chain_undo')
      .values({ cursor, block_number: blockNumber, table_name: table, row_key: JSON.stringify(key), before_row: before ? JSON.stringify(before) : null })
      .execute();
    changes.push({ table, key, before, after });
  };

  const writer: MirrorWriter = {
    block,
    get: (table, key) => select(table, tables.pickKey(table, key)),
    async find(table, where) {
      tables.keyOf(table);
      let q = db.selectFrom(table).selectAll();
      for (const [col, value] of Object.entries(where)) q = q.where(col, '=', value);
      return (await q.execute()) as Row[];
    },
    async put(table, row) {
      const key = tables.pickKey(table, row);
      const before = await select(table, key);
      if (before) {
        let q = db.updateTable(table).set(row);
        for (const [col, value] of Object.entries(key)) q = q.where(col, '=', value);
        await q.execute();
      } else {
        await db.insertInto(table).values(row).execute();
      }
      await record(table, key, before, before ? { ...before, ...row } : { ...row });
    },
    async patch(table, keyIn, values) {
      const key = tables.pickKey(table, keyIn);
      const before = await select(table, key);
      if (!before) return false;
      let q = db.updateTable(table).set(values);
      for (const [col, value] of Object.entries(key)) q = q.where(col, '=', value);
      await q.execute();
      await record(table, key, before, { ...before, ...values });
      return true;
    },
    async remove(table, keyIn) {
      const key = tables.pickKey(table, keyIn);
      const before = await select(table, key);
      if (!before) return false;
      let q = db.deleteFrom(table);
      for (const [col, value] of Object.entries(key)) q = q.where(col, '=', value);
      await q.execute();
      await record(table, key, before, undefined);
      return true;
    },
  };
  return { writer, changes };
}

/**
 * Restores every row changed by blocks after `forkBlock`, newest change first, and forgets those undo
 * entries. Returns the changes as listeners should see them (current row → restored row).
 */
export async function undoAfter(trx: Transaction<Database>, tables: TableRegistry, cursor: string, forkBlock: bigint): Promise<RowChange[]> {
  const db = trx as unknown as Kysely<any>;
  const entries = await trx
    .selectFrom('chain_undo')
    .selectAll()
    .where('cursor', '=', cursor)
    .where('block_number', '>', Number(forkBlock))
    .orderBy('id', 'desc')
    .execute();
  const changes: RowChange[] = [];
  for (const entry of entries) {
    const table = entry.table_name as MirrorTableName;
    tables.keyOf(table);
    const key = JSON.parse(entry.row_key) as Row;
    const before = entry.before_row === null ? undefined : (JSON.parse(entry.before_row) as Row);
    let sel = db.selectFrom(table).selectAll();
    for (const [col, value] of Object.entries(key)) sel = sel.where(col, '=', value);
    const current = (await sel.executeTakeFirst()) as Row | undefined;
    if (current) {
      let del = db.deleteFrom(table);
      for (const [col, value] of Object.entries(key)) del = del.where(col, '=', value);
      await del.execute();
    }
    if (before) await db.insertInto(table).values(before).execute();
    changes.push({ table, key, before: current, after: before });
  }
  await trx.deleteFrom('chain_undo').where('cursor', '=', cursor).where('block_number', '>', Number(forkBlock)).execute();
  return changes;
}
