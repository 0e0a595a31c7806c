// Table types: chain indexer (src/chain/indexer)
import type { Generated } from 'kysely';

export interface ChainCursorsTable {
  name: string;
  /** Last block whose events are applied; -1 before the first. */
  block_number: number;
  block_hash: string | null;
  updated_at: number;
}

export interface ChainBlocksTable {
  cursor: string;
  block_number: number;
  block_hash: string;
}

export interface ChainUndoTable {
  id: Generated<number>;
  cursor: string;
  block_number: number;
  table_name: string;
  /** JSON of the row's primary key. */
  row_key: string;
  /** JSON of the whole row before the change; null when the change created it. */
  before_row: string | null;
}
