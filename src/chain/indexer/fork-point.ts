// Where a reorg forked off: the newest remembered block that is still canonical. Block hashes chain, so
// if a remembered block is canonical every older one is too, and a binary search needs O(log n) headers.
import type { Kysely } from 'kysely';
import type { Hex } from 'viem';
import type { Database } from '../../store/schema.ts';
import type { BlockSource } from './block-source.ts';
import { moveCursor, type Position } from './cursor-store.ts';
import type { RowChange } from './indexer-types.ts';
import { undoAfter, type TableRegistry } from './mirror-writer.ts';

/** `blocks` oldest first; undefined when none of them is canonical any more. */
export async function findForkPoint(source: BlockSource, blocks: readonly { number: bigint; hash: Hex }[]): Promise<{ number: bigint; hash: Hex } | undefined> {
  let lo = 0;
  let hi = blocks.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = blocks[mid]!;
    const now = await source.header(candidate.number);
    if (now?.hash === candidate.hash) {
      best = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return best < 0 ? undefined : blocks[best];
}

/** Undoes every mirror write after `fork` and moves the cursor back to it, in one transaction. */
export function undoToForkPoint(db: Kysely<Database>, tables: TableRegistry, cursor: string, from: Position, fork: { number: bigint; hash: Hex }, nowMs: number): Promise<RowChange[]> {
  return db.transaction().execute(async (trx) => {
    const undone = await undoAfter(trx, tables, cursor, fork.number);
    await trx.deleteFrom('chain_blocks').where('cursor', '=', cursor).where('block_number', '>', Number(fork.number)).execute();
    await moveCursor(trx, cursor, from, fork, nowMs);
    return undone;
  });
}
