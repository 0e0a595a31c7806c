// Follows the logs of the mirrored contracts from a durable cursor and applies them to mirror tables:
// - a block is applied only once `confirmations` blocks sit on top of it;
// - each block's events and the cursor advance commit in ONE transaction, so a crash never applies an
//   event twice or skips one;
// - every mirror write is undo-logged; when the block under the cursor is no longer canonical, the
//   indexer finds the fork point among recently applied blocks and undoes everything after it (a reorg
//   deeper than `retentionBlocks` rebuilds the mirror from the deployment block);
// - modules register their tables and handlers, and hear the committed row changes.
import type { Kysely } from 'kysely';
import type { Abi, Address, Hex } from 'viem';
import { OdmError, toOdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { getMeta, setMeta } from '../../store/meta.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { ChainPublicClient } from '../clients.ts';
import { BlockSource, EventCatalog, decodeLog, type RawLog } from './block-source.ts';
import { CursorMovedError, ensurePosition, moveCursor, prune, readPosition, rememberBlock, rememberedBlocks, resetIndexer, type Position } from './cursor-store.ts';
import type { BlockRef, CommitInfo, CommitListener, ContractHandlers, DecodedEvent, MirrorTable, ResetListener, RowChange } from './indexer-types.ts';
import { findForkPoint, undoToForkPoint } from './fork-point.ts';
import { mirrorFingerprint } from './mirror-fingerprint.ts';
import { Nap } from './nap.ts';
import { indexerGauges, type IndexerGauges } from './indexer-metrics.ts';
import { inSnapshot } from './mirror-follower.ts';
import { createMirrorWriter, TableRegistry } from './mirror-writer.ts';

export interface ChainIndexerOptions {
  /** Names the cursor; one indexer per module (identity, licensing…). */
  name: string;
  store: Store;
  publicClient: ChainPublicClient;
  /** Deployment name → address. */
  contracts: Record<string, Address>;
  /** ABIs by artifact name. */
  abis: Record<string, Abi>;
  /** First block that can hold the contracts' events. */
  deploymentBlock: bigint;
  confirmations: number;
  logger: Logger;
  metrics?: Metrics;
  clock?: Clock;
  /**
   * Bump when handler logic changes meaning: a different version (or a different set of contracts and
   * events) rebuilds the mirror from the deployment block at start.
   */
  version?: string;
  /** Idle wait between head polls. Default: the client's polling interval, at most 1 s (revocations must bite fast). */
  pollIntervalMs?: number;
  /** Most blocks per eth_getLogs. Default 2000. */
  batchBlocks?: number;
  /** How many recent blocks can be undone after a reorg. Default 512. */
  retentionBlocks?: number;
}

interface Registered {
  handlers: ContractHandlers;
  artifact: string;
}

export class ChainIndexer {
  readonly name: string;
  readonly #opts: ChainIndexerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #source: BlockSource;
  readonly #tables = new TableRegistry();
  readonly #contracts = new Map<string, Registered>();
  readonly #commitListeners: CommitListener[] = [];
  readonly #resetListeners: ResetListener[] = [];
  readonly #waiters = new Set<{ block: bigint; resolve: () => void; reject: (err: Error) => void }>();
  #catalog: EventCatalog | undefined;
  #position: Position | undefined;
  #idleAtHead: Hex | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  readonly #nap = new Nap();
  /** A poke that arrived while a step ran: the next sleep is skipped. */
  #busy: Promise<unknown> = Promise.resolve();
  #appliedSincePrune = 0;
  readonly #gauges: IndexerGauges;

  constructor(opts: ChainIndexerOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'chain-indexer', indexer: opts.name });
    this.#clock = opts.clock ?? systemClock;
    this.#source = new BlockSource(opts.publicClient);
    this.#gauges = indexerGauges(opts.metrics, opts.name);
  }

  /** Tables this indexer's handlers write; they belong to this indexer alone. */
  registerTables(tables: readonly MirrorTable[]): void {
    this.#assertNotStarted();
    this.#tables.add(tables);
  }

  /**
   * Handlers for events of one deployed contract (by deployment name). Call before start; calling again
   * for the same contract adds to (and may override) its handlers.
   */
  registerHandlers(contract: string, handlers: ContractHandlers, opts: { artifact?: string } = {}): void {
    this.#assertNotStarted();
    const existing = this.#contracts.get(contract);
    this.#contracts.set(contract, { handlers: { ...existing?.handlers, ...handlers }, artifact: opts.artifact ?? existing?.artifact ?? contract });
  }

  /** Hears every committed set of row changes; returns an unsubscribe function. */
  onCommit(listener: CommitListener): () => void {
    this.#commitListeners.push(listener);
    return () => void this.#commitListeners.splice(this.#commitListeners.indexOf(listener) >>> 0, 1);
  }

  /** Hears that the mirror tables changed wholesale (rebuild, another process): reload from them. */
  onReset(listener: ResetListener): () => void {
    this.#resetListeners.push(listener);
    return () => void this.#resetListeners.splice(this.#resetListeners.indexOf(listener) >>> 0, 1);
  }

  /** The last applied block. */
  get position(): Position {
    if (!this.#position) throw new OdmError('ODM_ERR_UNAVAILABLE', `the ${this.name} indexer has not started`);
    return this.#position;
  }

  /**
   * Prepares the cursor (rebuilding the mirror if what it mirrors changed) without following the chain;
   * `start` does this and then follows. Returns the position the mirror tables reflect. `follow`: another
   * process leads and alone may rebuild; only make sure the cursor exists (start opens fully later).
   */
  async open(opts: { follow?: boolean } = {}): Promise<Position> {
    if (this.#catalog) return this.position;
    const catalog = EventCatalog.of(this.#contracts, this.#opts.contracts, this.#opts.abis);
    const db = this.#opts.store.db;
    const start = await this.#startPosition();
    if (opts.follow) return (this.#position ??= await ensurePosition(db, this.name, start, this.#clock.now()));
    const fingerprint = mirrorFingerprint(this.#opts, this.#tables.names(), catalog);
    const metaKey = `chain_indexer:${this.name}:fingerprint`;
    const stored = await getMeta(db, metaKey);
    const rebuild = stored !== undefined && stored !== fingerprint;
    if (rebuild) {
      this.#log.warn('the mirrored contracts or handlers changed; rebuilding the mirror from the deployment block');
      await resetIndexer(db, this.name, this.#tables.names(), start, this.#clock.now());
      for (const listener of this.#resetListeners) await listener(); // e.g. a follower's index, now taking over
    }
    const position = await ensurePosition(db, this.name, start, this.#clock.now());
    // A follower taking over keeps the position its index reflects (if the cursor moved on meanwhile,
    // the first step's compare-and-swap fails and reloads).
    this.#position = rebuild || !this.#position ? position : this.#position;
    if (stored !== fingerprint) await setMeta(db, metaKey, fingerprint, this.#clock.now());
    this.#catalog = catalog;
    this.#gauges.position(this.#position.number);
    return this.#position;
  }

  /** Opens, then follows the chain in the background until stop(). */
  async start(): Promise<void> {
    await this.open();
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#nap.poke();
    await this.#loop;
    this.#loop = undefined;
    for (const w of this.#waiters) w.reject(new OdmError('ODM_ERR_UNAVAILABLE', `the ${this.name} indexer stopped`));
    this.#waiters.clear();
  }

  /** Looks at the chain now instead of after the poll interval. */
  poke(): void {
    this.#nap.poke();
  }

  /**
   * One step by hand (for tests, benches and tools; not while start()ed): applies what is confirmed, up to
   * one batch. True when something changed.
   */
  async step(): Promise<boolean> {
    if (this.#loop) throw new OdmError('ODM_ERR_INDEXER_CONFIG', 'step() is for an indexer that is not following the chain');
    await this.open();
    return this.#serial(() => this.#guardedStep());
  }

  /** Resolves once block `block` is applied; rejects with ODM_ERR_TIMEOUT after `timeoutMs`. */
  async waitFor(block: bigint, timeoutMs = 10_000): Promise<void> {
    if (this.#position && this.#position.number >= block) return;
    let entry: { block: bigint; resolve: () => void; reject: (err: Error) => void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        entry = { block, resolve, reject };
        this.#waiters.add(entry);
        timer = setTimeout(
          () => reject(new OdmError('ODM_ERR_TIMEOUT', `the ${this.name} mirror did not reach block ${block} within ${timeoutMs} ms`, { details: { block: String(block), at: String(this.#position?.number) } })),
          timeoutMs,
        );
        this.poke();
      });
    } finally {
      clearTimeout(timer);
      if (entry) this.#waiters.delete(entry);
    }
  }

  /**
   * For the follower (mirror-follower.ts), while this indexer is stopped: another process moved the
   * mirror to `position`; hand its changes to the listeners, or (`reload`) have them reload from a snapshot.
   */
  async followed(position: Position, update: { changes: readonly RowChange[] } | { reload: Kysely<Database> }): Promise<void> {
    this.#position = position;
    this.#idleAtHead = undefined;
    if ('reload' in update) {
      for (const listener of this.#resetListeners) await listener(update.reload);
      this.#gauges.position(position.number);
      for (const w of this.#waiters) if (position.number >= w.block) w.resolve();
    } else {
      this.#committed(update.changes, { kind: 'apply', blockNumber: position.number, origin: 'follower' });
    }
  }

  // --- internals ---

  #assertNotStarted(): void {
    if (this.#catalog) throw new OdmError('ODM_ERR_INDEXER_CONFIG', `register tables and handlers of the ${this.name} indexer before it starts`);
  }

  async #startPosition(): Promise<Position> {
    const number = this.#opts.deploymentBlock - 1n;
    if (number < 0n) return { number, hash: null };
    const header = await this.#source.header(number);
    if (!header) throw new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `the chain has no block ${number}, just before the deployment`, { details: { block: String(number) } });
    return { number, hash: header.hash };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#busy.then(fn, fn);
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<void> {
    let backoff = 0;
    while (!this.#stopping) {
      let worked = false;
      try {
        worked = await this.#serial(() => this.#guardedStep());
        backoff = 0;
      } catch (err) {
        backoff = Math.min(Math.max(backoff * 2, 250), 5_000);
        const e = toOdmError(err);
        this.#log.warn({ code: e.code, reason: e.message, retryInMs: backoff, at: String(this.#position?.number) }, 'chain indexer step failed; retrying');
        await this.#sleep(backoff);
        continue;
      }
      if (!worked) await this.#sleep(this.#opts.pollIntervalMs ?? Math.min(this.#opts.publicClient.pollingInterval, 1_000));
    }
  }

  #sleep(ms: number): Promise<void> {
    return this.#nap.sleep(ms, this.#stopping);
  }

  /** A step; when another process moved the cursor, reload from the tables instead (and go on). */
  async #guardedStep(): Promise<boolean> {
    try {
      return await this.#step();
    } catch (err) {
      if (!(err instanceof CursorMovedError)) throw err;
      this.#log.info('another process advanced this indexer; reloading the mirror from the database');
      await this.#reload();
      return true;
    }
  }

  /** One step; true when something was applied or undone (so the caller should go on at once). */
  async #step(): Promise<boolean> {
    const position = this.position;
    const head = await this.#source.head();
    this.#gauges.head(head.number);
    if (head.hash === this.#idleAtHead) return false;
    if (!(await this.#stillCanonical(position))) {
      await this.#recover();
      return true;
    }
    const target = head.number - BigInt(this.#opts.confirmations);
    if (position.number >= target) {
      this.#idleAtHead = head.hash;
      return false;
    }
    const from = position.number + 1n;
    const wanted = target < position.number + BigInt(this.#opts.batchBlocks ?? 2000) ? target : position.number + BigInt(this.#opts.batchBlocks ?? 2000);
    const { logs, to } = await this.#source.logs(this.#catalog!, from, wanted);
    const numbers = [...new Set([...logs.map((l) => l.blockNumber), to])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const headers = await this.#source.headers(numbers);
    // The chain may have moved between the calls: every log must belong to the header we hold, and our
    // own position must still be canonical. Otherwise look again.
    if (logs.some((l) => headers.get(l.blockNumber)?.hash !== l.blockHash) || !headers.get(to)) return true;
    if (!(await this.#stillCanonical(position))) return true;

    const byBlock = new Map<bigint, RawLog[]>();
    for (const log of logs) {
      const list = byBlock.get(log.blockNumber);
      if (list) list.push(log);
      else byBlock.set(log.blockNumber, [log]);
    }
    for (const n of numbers) {
      const header = headers.get(n)!;
      const blockLogs = (byBlock.get(n) ?? []).sort((a, b) => a.logIndex - b.logIndex);
      await this.#applyBlock(header, blockLogs);
    }
    if (this.#position!.number >= target) this.#idleAtHead = head.hash;
    return true;
  }

  async #stillCanonical(position: Position): Promise<boolean> {
    if (position.hash === null) return true;
    const now = await this.#source.header(position.number);
    return now?.hash === position.hash;
  }

  async #applyBlock(header: BlockRef, logs: RawLog[]): Promise<void> {
    const events: DecodedEvent[] = [];
    for (const log of logs) {
      const event = decodeLog(this.#catalog!, log, header);
      if (event) events.push(event);
    }
    const from = this.position;
    const to: Position = { number: header.number, hash: header.hash };
    const retention = this.#opts.retentionBlocks ?? 512;
    const pruneNow = ++this.#appliedSincePrune >= Math.min(64, retention);
    const changes = await this.#opts.store.db.transaction().execute(async (trx) => {
      const { writer, changes } = createMirrorWriter(trx, this.#tables, this.name, header);
      for (const event of events) {
        const handler = this.#contracts.get(event.contract)?.handlers[event.eventName];
        if (!handler) continue;
        try {
          await handler(event, writer);
        } catch (err) {
          throw new OdmError('ODM_ERR_INDEXER_HANDLER', `${event.contract}.${event.eventName} handler failed at block ${header.number}: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
            retryable: true,
            details: { contract: event.contract, event: event.eventName, block: String(header.number), tx: event.transactionHash },
          });
        }
      }
      await rememberBlock(trx, this.name, { number: header.number, hash: header.hash });
      await moveCursor(trx, this.name, from, to, this.#clock.now());
      if (pruneNow) await prune(trx, this.name, header.number - BigInt(retention));
      return changes;
    });
    if (pruneNow) this.#appliedSincePrune = 0;
    this.#position = to;
    if (events.length > 0) this.#gauges.events(events.length);
    this.#committed(changes, { kind: 'apply', blockNumber: to.number, origin: 'local' });
  }

  /** The block under the cursor is gone: undo back to the newest remembered block still canonical. */
  async #recover(): Promise<void> {
    const db = this.#opts.store.db;
    const fork = await findForkPoint(this.#source, await rememberedBlocks(db, this.name));
    this.#idleAtHead = undefined;
    this.#gauges.reorgs();
    if (!fork) {
      this.#log.error({ at: String(this.position.number) }, 'reorg deeper than the remembered blocks; rebuilding the mirror from the deployment block');
      await resetIndexer(db, this.name, this.#tables.names(), await this.#startPosition(), this.#clock.now());
      await this.#reload();
      return;
    }
    const from = this.position;
    const changes = await undoToForkPoint(db, this.#tables, this.name, from, fork, this.#clock.now());
    this.#position = { number: fork.number, hash: fork.hash };
    this.#log.warn({ from: String(from.number), to: String(fork.number), rows: changes.length }, 'chain reorg: undid mirror changes after the fork point');
    this.#committed(changes, { kind: 'rollback', blockNumber: fork.number, origin: 'local' });
  }

  /** Takes the position from the database and tells listeners to reload the tables. */
  async #reload(): Promise<void> {
    await inSnapshot(this.#opts.store, async (db) => {
      this.#position = (await readPosition(db, this.name)) ?? this.#position;
      for (const listener of this.#resetListeners) await listener(db);
    });
    this.#idleAtHead = undefined;
    this.#gauges.position(this.position.number);
  }

  #committed(changes: readonly RowChange[], info: CommitInfo): void {
    this.#gauges.position(info.blockNumber);
    for (const listener of this.#commitListeners) {
      try {
        listener(changes, info);
      } catch (err) {
        this.#log.error({ reason: err instanceof Error ? err.message : String(err) }, 'a mirror listener failed');
      }
    }
    for (const w of this.#waiters) if (info.blockNumber >= w.block) w.resolve();
  }
}
