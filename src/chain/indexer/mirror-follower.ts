// Keeps a mirror's in-memory index and commit listeners current in a process that does not index: the
// cluster's leader writes the mirror tables, this follows its cursor. Each poll that finds the cursor
// moved reads, in one snapshot, the cursor, the undo-log entries of the blocks in between (which name
// every row they changed and its value before) and those rows now, and hands the net row changes to the
// indexer's listeners with `origin: 'follower'`. It reloads everything instead when it cannot be sure
// the undo log covers the gap: entries pruned, a rollback below its position, a rebuild (the mirror's
// fingerprint changed).
import type { Kysely } from 'kysely';
import type { Hex } from 'viem';
import { toOdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { getMeta } from '../../store/meta.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { ChainIndexer } from './chain-indexer.ts';
import type { Position } from './cursor-store.ts';
import type { MirrorTableName, Row, RowChange } from './indexer-types.ts';
import { Nap } from './nap.ts';

export interface MirrorFollowerOptions {
  indexer: ChainIndexer;
  store: Store;
  logger: Logger;
  /** Wait between looks at the cursor. Default 300 ms. */
  pollMs?: number;
}

interface Seen {
  position: Position;
  updatedAt: number;
  fingerprint: string | undefined;
}

export class MirrorFollower {
  readonly #opts: MirrorFollowerOptions;
  readonly #log: Logger;
  #seen: Seen | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  readonly #nap = new Nap();
  #busy: Promise<unknown> = Promise.resolve();

  constructor(opts: MirrorFollowerOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'mirror-follower', indexer: opts.indexer.name });
  }

  /** Reloads the index from a snapshot, then follows the cursor until stop(). */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopping = false;
    this.#seen = undefined;
    await this.sync().catch((err: unknown) => this.#warn(err));
    this.#loop = this.#run();
  }

  /** Stops following after one last catch-up (so a process taking over starts from where the leader was). */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#stopping = true;
    this.#nap.poke();
    await this.#loop;
    this.#loop = undefined;
    await this.sync().catch((err: unknown) => this.#warn(err));
  }

  /** Looks at the cursor now. */
  poke(): void {
    this.#nap.poke();
  }

  /** One look at the cursor: catches up when it moved. True when something changed. */
  sync(): Promise<boolean> {
    const run = this.#busy.then(() => this.#sync());
    this.#busy = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<void> {
    let backoff = 0;
    while (!this.#stopping) {
      await this.#nap.sleep(backoff || (this.#opts.pollMs ?? 300));
      if (this.#stopping) break;
      try {
        await this.sync();
        backoff = 0;
      } catch (err) {
        backoff = Math.min(Math.max(backoff * 2, 500), 5_000);
        this.#warn(err, backoff);
      }
    }
  }

  #warn(err: unknown, retryInMs?: number): void {
    const e = toOdmError(err);
    this.#log.warn({ code: e.code, reason: e.message, ...(retryInMs ? { retryInMs } : {}) }, 'following the mirror failed; retrying');
  }

  async #sync(): Promise<boolean> {
    const { store, indexer } = this.#opts;
    const name = indexer.name;
    const seen = this.#seen;
    // The cheap look first: a cursor row that did not change at all means nothing to do.
    if (seen) {
      const row = await cursorRow(store.db, name);
      if (row && row.updatedAt === seen.updatedAt && samePosition(row.position, seen.position)) return false;
    }
    const result = await inSnapshot(store, async (trx) => {
      const row = await cursorRow(trx, name);
      if (!row) return undefined;
      const fingerprint = await getMeta(trx, `chain_indexer:${name}:fingerprint`);
      const now: Seen = { position: row.position, updatedAt: row.updatedAt, fingerprint };
      if (seen && samePosition(seen.position, now.position) && seen.fingerprint === fingerprint) return { now, changes: [] as RowChange[] };
      const changes = seen && seen.fingerprint === fingerprint ? await catchUp(trx, name, seen.position, now.position) : undefined;
      if (changes) return { now, changes };
      await indexer.followed(now.position, { reload: trx });
      return { now, reloaded: true };
    });
    if (!result) return false;
    this.#seen = result.now;
    if ('reloaded' in result) {
      if (seen) this.#log.info({ at: String(result.now.position.number) }, 'the mirror changed beyond what the undo log covers; reloaded it');
      return true;
    }
    if (seen && samePosition(seen.position, result.now.position)) return false;
    await indexer.followed(result.now.position, { changes: result.changes });
    return true;
  }
}

/**
 * Runs `fn` on one consistent snapshot of the database: on PostgreSQL a repeatable-read transaction (the
 * default isolation would let the leader commit between two reads); SQLite has one writer per file and a
 * single connection, so reads there are consistent already.
 */
export async function inSnapshot<T>(store: Store, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return fn(store.db);
  return store.db.transaction().setIsolationLevel('repeatable read').execute(fn);
}

async function cursorRow(db: Kysely<Database>, name: string): Promise<{ position: Position; updatedAt: number } | undefined> {
  const row = await db.selectFrom('chain_cursors').select(['block_number', 'block_hash', 'updated_at']).where('name', '=', name).executeTakeFirst();
  return row ? { position: { number: BigInt(row.block_number), hash: (row.block_hash as Hex | null) ?? null }, updatedAt: Number(row.updated_at) } : undefined;
}

function samePosition(a: Position, b: Position): boolean {
  return a.number === b.number && a.hash === b.hash;
}

/**
 * The net row changes between `from` and `to`, or undefined when the undo log cannot tell them: `from`
 * is no longer a remembered block with the same hash (pruned, or undone by a reorg), or lies ahead.
 */
async function catchUp(trx: Kysely<Database>, name: string, from: Position, to: Position): Promise<RowChange[] | undefined> {
  if (from.hash === null || to.number < from.number) return undefined;
  // Pruning drops a block's hash together with its undo entries, and a rollback past it drops or
  // replaces it: while it is still there with our hash, every entry after it is still there too.
  const anchor = await trx.selectFrom('chain_blocks').select('block_hash').where('cursor', '=', name).where('block_number', '=', Number(from.number)).executeTakeFirst();
  if (anchor?.block_hash !== from.hash) return undefined;
  const entries = await trx
    .selectFrom('chain_undo')
    .select(['table_name', 'row_key', 'before_row'])
    .where('cursor', '=', name)
    .where('block_number', '>', Number(from.number))
    .where('block_number', '<=', Number(to.number))
    .orderBy('id', 'asc')
    .execute();
  // The first entry of a row holds its value at `from`; the table holds its value at `to`.
  const first = new Map<string, { table: MirrorTableName; key: Row; before: Row | undefined }>();
  for (const e of entries) {
    const id = `${e.table_name}\u0000${e.row_key}`;
    if (!first.has(id)) first.set(id, { table: e.table_name as MirrorTableName, key: JSON.parse(e.row_key) as Row, before: e.before_row === null ? undefined : (JSON.parse(e.before_row) as Row) });
  }
  const changes: RowChange[] = [];
  for (const { table, key, before } of first.values()) {
    let q = (trx as unknown as Kysely<any>).selectFrom(table).selectAll();
    for (const [col, value] of Object.entries(key)) q = q.where(col, '=', value);
    const after = (await q.executeTakeFirst()) as Row | undefined;
    if (before || after) changes.push({ table, key, before, after });
  }
  return changes;
}
