// The contract between the chain indexer and the modules that mirror chain state (identity, licensing…).
// A module names the tables it writes, registers one handler per contract event, and listens for the
// committed row changes to keep its in-memory view current.
import type { Kysely } from 'kysely';
import type { Hex } from 'viem';
import type { Database } from '../../store/schema.ts';

/** A mirror table and its primary-key columns. Mirror rows hold only text, integers and null. */
export interface MirrorTable {
  name: MirrorTableName;
  key: readonly string[];
}

export type MirrorTableName = keyof Database & string;
export type RowValue = string | number | null;
export type Row = Record<string, RowValue>;

export interface BlockRef {
  number: bigint;
  hash: Hex;
  /** Unix seconds. */
  timestamp: bigint;
}

/** One log, decoded with the ABI of the contract that emitted it. */
export interface DecodedEvent {
  /** Deployment name of the emitting contract, e.g. `VehicleId`. */
  contract: string;
  address: Hex;
  eventName: string;
  args: Record<string, unknown>;
  block: BlockRef;
  transactionHash: Hex;
  logIndex: number;
}

/**
 * Writes to mirror tables inside the block's transaction. Every write is recorded in the undo log (so a
 * reorg can take it back) and reported to listeners once the block commits.
 */
export interface MirrorWriter {
  readonly block: BlockRef;
  get(table: MirrorTableName, key: Row): Promise<Row | undefined>;
  /** Rows whose columns equal every value in `where`. */
  find(table: MirrorTableName, where: Row): Promise<Row[]>;
  /** Inserts the row, or replaces the row with the same key. */
  put(table: MirrorTableName, row: Row): Promise<void>;
  /** Updates some columns of an existing row; false when there is no such row. */
  patch(table: MirrorTableName, key: Row, values: Row): Promise<boolean>;
  /** Deletes the row; false when there was none. */
  remove(table: MirrorTableName, key: Row): Promise<boolean>;
}

export type EventHandler = (event: DecodedEvent, writer: MirrorWriter) => Promise<void>;

/** Handlers of one contract, by event name (as in the contract's ABI). */
export type ContractHandlers = Record<string, EventHandler>;

export interface RowChange {
  table: MirrorTableName;
  key: Row;
  /** The row before the change; undefined when the change created it. */
  before: Row | undefined;
  /** The row after the change; undefined when the change deleted it. */
  after: Row | undefined;
}

export interface CommitInfo {
  /** Applying a block, or undoing blocks after a reorg. */
  kind: 'apply' | 'rollback';
  /** The indexer's position once the commit landed. */
  blockNumber: bigint;
  /**
   * `local`: this process applied the block (absent means the same). `follower`: another process (the
   * cluster's leader) applied it and this one only caught up (mirror-follower.ts) — work that must
   * happen once per cluster (e.g. activity entries) ignores those.
   */
  origin?: 'local' | 'follower';
}

/** Called after each commit, in commit order; must be synchronous and must not throw. */
export type CommitListener = (changes: readonly RowChange[], info: CommitInfo) => void;

/**
 * Called when the mirror tables were changed behind the listener's back (resync, another process).
 * `db`, when given, is a consistent snapshot to reload from (the follower's); otherwise use the store.
 */
export type ResetListener = (db?: Kysely<Database>) => Promise<void> | void;
