// The setup every chain mirror shares: an indexer with its own cursor and version (so one mirror can be
// rebuilt without the others), keeping an in-memory index current from the rows each block commits.
import type { Abi, Address } from 'viem';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { ChainPublicClient } from '../clients.ts';
import { ChainIndexer } from './chain-indexer.ts';
import type { RowChange } from './indexer-types.ts';

export interface MirrorIndexerOptions {
  store: Store;
  publicClient: ChainPublicClient;
  contracts: Record<string, Address>;
  abis: Record<string, Abi>;
  deploymentBlock: bigint;
  confirmations: number;
  logger: Logger;
  clock: Clock;
  metrics?: Metrics;
  pollIntervalMs?: number;
  /** Cursor name; defaults to the mirror's own name. */
  name?: string;
}

/** An in-memory view rebuilt from the mirror tables and kept current by committed row changes. */
export interface MirrorIndex {
  load(db: Kysely<Database>): Promise<void>;
  applyAll(changes: readonly RowChange[]): void;
}

/** Without an index the mirror lives in its tables only (e.g. an append-only log of decisions). */
export function createMirrorIndexer(opts: MirrorIndexerOptions, mirror: { name: string; version: string; index?: MirrorIndex }): ChainIndexer {
  const indexer = new ChainIndexer({
    name: opts.name ?? mirror.name,
    store: opts.store,
    publicClient: opts.publicClient,
    contracts: opts.contracts,
    abis: opts.abis,
    deploymentBlock: opts.deploymentBlock,
    confirmations: opts.confirmations,
    logger: opts.logger,
    clock: opts.clock,
    version: mirror.version,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.pollIntervalMs !== undefined ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  });
  const index = mirror.index;
  if (index) {
    indexer.onCommit((changes) => index.applyAll(changes));
    indexer.onReset((db) => index.load(db ?? opts.store.db));
  }
  return indexer;
}
