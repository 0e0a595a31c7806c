// Where a reorg forked off: the newest remembered block that is still canonical. Block hashes chain, so
// if a remembered block is canonical every older one is too, and a binary search needs O(log n) headers.
import type { Hex } from 'viem';
import type { BlockSource } from './block-source.ts';

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
