// The indexer's durable position: one chain_cursors row per indexer plus the recent block hashes it
// applied (chain_blocks), pruned together with the undo log.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import type { Database } from '../../store/schema.ts';

export interface Position {
  number: bigint;
  /** Null only before the first block of the chain. */
  hash: Hex | null;
}

/** Another process moved this indexer's cursor (two nodes indexing into one database). */
export class CursorMovedError extends OdmError {
  constructor(name: string) {
    super('ODM_ERR_INDEXER_CURSOR_MOVED', `the ${name} indexer cursor was moved by another process`, { retryable: true, details: { indexer: name } });
  }
}

export async function readPosition(db: Kysely<Database>, name: string): Promise<Position | undefined> {
  const row = await db.selectFrom('chain_cursors').select(['block_number', 'block_hash']).where('name', '=', name).executeTakeFirst();
  return row ? { number: BigInt(row.block_number), hash: (row.block_hash as Hex | null) ?? null } : undefined;
}

/** Creates the cursor at `start` unless it exists; returns the stored position either way. */
export async function ensurePosition(db: Kysely<Database>, name: string, start: Position, nowMs: number): Promise<Position> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('chain_cursors')
      .values({ name, block_number: Number(start.number), block_hash: start.hash, updated_at: nowMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 && start.hash) await rememberBlock(trx, name, start as { number: bigint; hash: Hex });
  });
  return (await readPosition(db, name))!;
}

/** Moves the cursor from `from` to `to` inside `trx`; throws CursorMovedError if it was not at `from`. */
export async function moveCursor(trx: Transaction<Database>, name: string, from: Position, to: Position, nowMs: number): Promise<void> {
  const res = await trx
    .updateTable('chain_cursors')
    .set({ block_number: Number(to.number), block_hash: to.hash, updated_at: nowMs })
    .where('name', '=', name)
    .where('block_number', '=', Number(from.number))
    .where((eb) => (from.hash === null ? eb('block_hash', 'is', null) : eb('block_hash', '=', from.hash)))
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new CursorMovedError(name);
}

export async function rememberBlock(trx: Transaction<Database>, name: string, block: { number: bigint; hash: Hex }): Promise<void> {
  await trx
    .insertInto('chain_blocks')
    .values({ cursor: name, block_number: Number(block.number), block_hash: block.hash })
    .onConflict((oc) => oc.columns(['cursor', 'block_number']).doUpdateSet({ block_hash: block.hash }))
    .execute();
}

/** Stored blocks, oldest first. */
export async function rememberedBlocks(db: Kysely<Database>, name: string): Promise<{ number: bigint; hash: Hex }[]> {
  const rows = await db.selectFrom('chain_blocks').select(['block_number', 'block_hash']).where('cursor', '=', name).orderBy('block_number', 'asc').execute();
  return rows.map((r) => ({ number: BigInt(r.block_number), hash: r.block_hash as Hex }));
}

/** Forgets block hashes and undo entries older than `keepFrom` (no reorg can reach them any more). */
export async function prune(trx: Transaction<Database>, name: string, keepFrom: bigint): Promise<void> {
  const below = Number(keepFrom);
  await trx.deleteFrom('chain_undo').where('cursor', '=', name).where('block_number', '<', below).execute();
  await trx.deleteFrom('chain_blocks').where('cursor', '=', name).where('block_number', '<', below).execute();
}

/** Empties the mirror tables and the bookkeeping of this indexer and puts the cursor back at `start`. */
export async function resetIndexer(db: Kysely<Database>, name: string, tables: readonly string[], start: Position, nowMs: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of tables) await sql`delete from ${sql.table(table)}`.execute(trx);
    await trx.deleteFrom('chain_undo').where('cursor', '=', name).execute();
    await trx.deleteFrom('chain_blocks').where('cursor', '=', name).execute();
    await trx
      .insertInto('chain_cursors')
      .values({ name, block_number: Number(start.number), block_hash: start.hash, updated_at: nowMs })
      .onConflict((oc) => oc.column('name').doUpdateSet({ block_number: Number(start.number), block_hash: start.hash, updated_at: nowMs }))
      .execute();
    if (start.hash) await rememberBlock(trx, name, start as { number: bigint; hash: Hex });
  });
}
