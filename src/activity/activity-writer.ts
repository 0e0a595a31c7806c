// The activity log's write side. Appends are cheap for the caller: validated entries join a queue and
// the caller's promise settles when the one batched transaction holding them commits. Entries arriving
// within `coalesceMs` (or while a batch is being written) share the next transaction. Per-owner chain
// heads stay in memory (bounded; reloaded from activity_heads on a miss), so a batch reads nothing but
// the heads it has not seen and the data keys it has not cached.
//
// Concurrency: batches are written one at a time (`exclusive`). Another process appending for the same
// owner makes our insert collide on (owner_tag, seq); the batch then reloads its heads and retries.
import type { Transaction } from 'kysely';
import type { Counter, Histogram } from 'prom-client';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { seal } from '../vault/aead.ts';
import type { DataKeys } from '../vault/data-keys.ts';
import { chainHash, entryAad, ownerKeyRef, ZERO_HASH, type ActivityTags, type PreparedEntry, type RowIdentity } from './activity-codec.ts';

export interface ChainHead {
  seq: number;
  hash: Buffer;
}

interface Ticket {
  remaining: number;
  settled: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

interface Pending {
  entry: PreparedEntry;
  ticket: Ticket;
}

export interface ActivityWriterOptions {
  store: Store;
  keys: DataKeys;
  tags: ActivityTags;
  logger: Logger;
  metrics?: Metrics;
  /** How long the first entry of a batch waits for company; default 5 ms. */
  coalesceMs?: number;
  /** Entries per transaction; default 2000. */
  maxBatch?: number;
  /** Chain heads kept in memory; default 100,000. */
  maxHeads?: number;
}

const ROWS_PER_STATEMENT = 400;
const ATTEMPTS = 3;

export class ActivityWriter {
  readonly #o: ActivityWriterOptions;
  readonly #coalesceMs: number;
  readonly #maxBatch: number;
  readonly #maxHeads: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = false;
  #closed = false;
  readonly #heads = new Map<string, ChainHead>();
  readonly #committed: Counter<string> | undefined;
  readonly #commitSeconds: Histogram<string> | undefined;
  /** Transactions committed and entries written; for tests and benchmarks. */
  readonly stats = { transactions: 0, entries: 0, retries: 0 };

  constructor(options: ActivityWriterOptions) {
    this.#o = options;
    this.#coalesceMs = options.coalesceMs ?? 5;
    this.#maxBatch = options.maxBatch ?? 2000;
    this.#maxHeads = options.maxHeads ?? 100_000;
    this.#committed = options.metrics?.counter('opendimo_activity_entries_total', 'Activity log entries written, by kind', ['kind']);
    this.#commitSeconds = options.metrics?.histogram('opendimo_activity_commit_seconds', 'Activity log batch commit time', [], [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1]);
  }

  enqueue(entries: PreparedEntry[]): Promise<void> {
    if (this.#closed) return Promise.reject(new OdmError('ODM_ERR_UNAVAILABLE', 'the activity log is closed'));
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { remaining: entries.length, settled: false, resolve, reject };
      for (const entry of entries) this.#pending.push({ entry, ticket });
      if (this.#pending.length >= this.#maxBatch) this.#kick();
      else this.#timer ??= setTimeout(() => this.#kick(), this.#coalesceMs);
    });
  }

  /** Runs `fn` between batches, never beside one. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once everything appended so far is written (or has failed). */
  flush(): Promise<void> {
    this.#clearTimer();
    return this.exclusive(() => this.#drain());
  }

  head(ownerTag: string): ChainHead | undefined {
    return this.#heads.get(ownerTag);
  }

  forgetHead(ownerTag: string): void {
    this.#heads.delete(ownerTag);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #kick(): void {
    this.#clearTimer();
    if (this.#queued) return;
    this.#queued = true;
    this.exclusive(async () => {
      this.#queued = false;
      await this.#drain();
    }).catch((err: unknown) => this.#o.logger.error({ err }, 'activity log drain failed'));
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#commit(this.#pending.splice(0, this.#maxBatch));
  }

  async #commit(batch: Pending[]): Promise<void> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const heads = await this.#o.store.db.transaction().execute((trx) => this.#write(trx, batch));
        for (const [tag, head] of heads) this.#remember(tag, head);
        this.stats.transactions++;
        this.stats.entries += batch.length;
        this.#commitSeconds?.observe((performance.now() - started) / 1000);
        for (const p of batch) {
          this.#committed?.inc({ kind: p.entry.kind });
          if (--p.ticket.remaining === 0 && !p.ticket.settled) {
            p.ticket.settled = true;
            p.ticket.resolve();
          }
        }
        return;
      } catch (err) {
        // The failed transaction may have left heads, or fresh data keys, in memory that the database lacks.
        const tags = [...new Set(batch.map((p) => this.#o.tags.owner(p.entry.owner)))];
        for (const t of tags) this.#heads.delete(t);
        this.#o.keys.forget(tags.map(ownerKeyRef));
        if (attempt < ATTEMPTS) {
          this.stats.retries++;
          continue;
        }
        this.#o.logger.error({ err, entries: batch.length }, 'activity log batch failed');
        const failure = new OdmError('ODM_ERR_DB_UNAVAILABLE', 'the activity log could not be written', { cause: err, retryable: true });
        for (const p of batch) {
          if (!p.ticket.settled) {
            p.ticket.settled = true;
            p.ticket.reject(failure);
          }
        }
        return;
      }
    }
  }

  async #write(trx: Transaction<Database>, batch: Pending[]): Promise<Map<string, ChainHead>> {
    const { tags, keys } = this.#o;
    const ownerTags = batch.map((p) => tags.owner(p.entry.owner));
    const owners = [...new Set(ownerTags)];
    const dataKeys = await keys.getMany(trx, owners.map((t) => ({ ref: ownerKeyRef(t), kind: 'owner' as const })), true);

    const heads = new Map<string, ChainHead>();
    const missing: string[] = [];
    for (const t of owners) {
      const known = this.#heads.get(t);
      if (known) heads.set(t, known);
      else missing.push(t);
    }
    for (let i = 0; i < missing.length; i += ROWS_PER_STATEMENT) {
      const rows = await trx.selectFrom('activity_heads').select(['owner_tag', 'seq', 'hash']).where('owner_tag', 'in', missing.slice(i, i + ROWS_PER_STATEMENT)).execute();
      for (const r of rows) heads.set(r.owner_tag, { seq: Number(r.seq), hash: r.hash });
    }
    for (const t of missing) if (!heads.has(t)) heads.set(t, { seq: 0, hash: ZERO_HASH });

    const rows: Database['activity_entries'][] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!.entry;
      const tag = ownerTags[i]!;
      const prev = heads.get(tag)!;
      const id: RowIdentity = {
        owner_tag: tag,
        seq: prev.seq + 1,
        at: e.at,
        kind: e.kind,
        vehicle_tag: e.vehicleId === undefined ? null : tags.vehicle(tag, e.vehicleId),
        app_tag: e.licenseId === undefined ? null : tags.app(tag, e.licenseId),
        grantee_tag: e.grantee === undefined ? null : tags.grantee(tag, e.grantee),
      };
      const ct = seal(dataKeys.get(ownerKeyRef(tag))!, e.plaintext, entryAad(id));
      const hash = chainHash(prev.hash, id.seq, ct);
      heads.set(tag, { seq: id.seq, hash });
      rows[i] = { ...id, ct, hash };
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await trx.insertInto('activity_entries').values(rows.slice(i, i + ROWS_PER_STATEMENT)).execute();
    }
    const headRows = owners.map((t) => {
      const h = heads.get(t)!;
      return { owner_tag: t, seq: h.seq, hash: h.hash, mac: tags.headMac(t, h.seq, h.hash) };
    });
    for (let i = 0; i < headRows.length; i += ROWS_PER_STATEMENT) {
      await trx
        .insertInto('activity_heads')
        .values(headRows.slice(i, i + ROWS_PER_STATEMENT))
        .onConflict((oc) => oc.column('owner_tag').doUpdateSet((eb) => ({ seq: eb.ref('excluded.seq'), hash: eb.ref('excluded.hash'), mac: eb.ref('excluded.mac') })))
        .execute();
    }
    return heads;
  }

  #remember(tag: string, head: ChainHead): void {
    if (!this.#heads.has(tag) && this.#heads.size >= this.#maxHeads) {
      const oldest = this.#heads.keys().next().value;
      if (oldest !== undefined) this.#heads.delete(oldest);
    }
    this.#heads.set(tag, head);
  }
}
