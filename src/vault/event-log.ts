// The durable append log with group commit. Writers hand over verified, normalised events; every
// event queued while the previous commit ran goes into the next one: one transaction that records the
// events' keyed identity hashes (duplicates are skipped, atomically with the append) and appends one
// row holding all new events, encrypted under the current log-epoch key. Callers are answered only
// after the commit returns, so an acknowledged event survives a crash (SQLite WAL + synchronous=NORMAL,
// or a PostgreSQL commit).
import type { Counter, Histogram } from 'prom-client';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Store } from '../store/store.ts';
import { seal } from './aead.ts';
import type { Keyring } from './keyring.ts';
import { joinKeyring } from './keyring-sync.ts';
import { encodeBatchInto, type LogEvent } from './log-record.ts';

export interface PendingWrite {
  event: LogEvent;
  /** Day of the event's time; scopes the duplicate check. */
  dedupDay: number;
  /** 16-byte keyed hash of (subject, time, type, source, id). */
  dedupHash: Buffer;
}

interface Queued {
  writes: PendingWrite[];
  resolve: (stored: boolean[]) => void;
  reject: (err: unknown) => void;
}

export interface EventLogOptions {
  store: Store;
  keyring: Keyring;
  /** Catalogue names, in id order (the `names` of every log row). */
  names: readonly string[];
  logger: Logger;
  metrics?: Metrics;
  /** Most events in one commit; default 4000. */
  maxBatch?: number;
}

export function logAad(epoch: number): string {
  return `vault_log/${epoch}`;
}

export class EventLog {
  readonly #opts: EventLogOptions;
  #queue: Queued[] = [];
  #queued = 0;
  /** Events appended by this process (for the compaction trigger). */
  appended = 0;
  #running = false;
  #closed = false;
  /** Reused for the plaintext of each commit (sealed before the next one starts). */
  readonly #plaintext = { buf: Buffer.alloc(0) };
  readonly #commits: Histogram<string> | undefined;
  readonly #events: Counter<string> | undefined;
  /** Prepared statements (SQLite fast path). */
  #sqlite: { dedup: import('better-sqlite3').Statement; log: import('better-sqlite3').Statement } | undefined;

  constructor(opts: EventLogOptions) {
    this.#opts = opts;
    this.#commits = opts.metrics?.histogram('opendimo_ingest_commit_seconds', 'Group commit duration', [], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);
    this.#events = opts.metrics?.counter('opendimo_ingest_committed_events_total', 'Events by commit outcome', ['outcome']);
  }

  /** Events waiting for the next commit. */
  get backlog(): number {
    return this.#queued;
  }

  /** Resolves, per write, true when stored and false when it was a duplicate. */
  append(writes: PendingWrite[]): Promise<boolean[]> {
    if (this.#closed) return Promise.reject(new OdmError('ODM_ERR_UNAVAILABLE', 'the event log is closed', { retryable: true }));
    if (writes.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ writes, resolve, reject });
      this.#queued += writes.length;
      if (!this.#running) {
        this.#running = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    const max = this.#opts.maxBatch ?? 4000;
    while (this.#queue.length > 0) {
      const batch: Queued[] = [];
      let n = 0;
      while (this.#queue.length > 0 && (n === 0 || n + this.#queue[0]!.writes.length <= max)) {
        const q = this.#queue.shift()!;
        batch.push(q);
        n += q.writes.length;
      }
      this.#queued -= n;
      const all = batch.length === 1 ? batch[0]!.writes : batch.flatMap((q) => q.writes);
      const started = performance.now();
      try {
        const stored = this.#opts.store.sqlite ? await this.#commitSqlite(all) : await this.#commitPostgres(all);
        const ms = performance.now() - started;
        this.#commits?.observe(ms / 1000);
        let kept = 0;
        for (const s of stored) if (s) kept++;
        this.appended += kept;
        this.#opts.logger.debug({ events: n, stored: kept, ms: Math.round(ms * 10) / 10 }, 'ingest commit');
        this.#events?.inc({ outcome: 'stored' }, kept);
        this.#events?.inc({ outcome: 'duplicate' }, stored.length - kept);
        let at = 0;
        for (const q of batch) {
          q.resolve(stored.slice(at, at + q.writes.length));
          at += q.writes.length;
        }
      } catch (cause) {
        this.#opts.logger.error({ err: cause, events: n }, 'ingest commit failed');
        const err = new OdmError('ODM_ERR_DB_UNAVAILABLE', 'the database did not accept the write; retry', { cause, retryable: true });
        for (const q of batch) q.reject(err);
      }
      // Let requests that arrived meanwhile join the next commit.
      if (this.#queue.length > 0) await new Promise((r) => setImmediate(r));
    }
    this.#running = false;
  }

  /** Marks intra-batch repeats so only the first occurrence can be stored. */
  #firstOccurrences(writes: PendingWrite[]): boolean[] {
    const seen = new Set<string>();
    return writes.map((w) => {
      const k = `${w.dedupDay}:${w.dedupHash.toString('latin1')}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  #seal(events: LogEvent[]): { epoch: number; ct: Buffer } {
    const { epoch, key } = this.#opts.keyring.logKey();
    return { epoch, ct: seal(key, encodeBatchInto(events, this.#opts.names, this.#plaintext), logAad(epoch)) };
  }

  async #commitSqlite(writes: PendingWrite[]): Promise<boolean[]> {
    const raw = this.#opts.store.sqlite!;
    this.#sqlite ??= {
      dedup: raw.prepare('insert or ignore into ingest_dedup (day, hash) values (?, ?)'),
      log: raw.prepare('insert into vault_log (epoch, n_events, ct) values (?, ?, ?)'),
    };
    const st = this.#sqlite;
    // No #firstOccurrences here: a repeat later in the same transaction is ignored by the insert itself.
    return this.#opts.store.db.connection().execute(async () =>
      raw.transaction(() => {
        const stored = new Array<boolean>(writes.length);
        const events: LogEvent[] = [];
        for (let i = 0; i < writes.length; i++) {
          const w = writes[i]!;
          stored[i] = st.dedup.run(w.dedupDay, w.dedupHash).changes === 1;
          if (stored[i]) events.push(w.event);
        }
        if (events.length > 0) {
          const { epoch, ct } = this.#seal(events);
          st.log.run(epoch, events.length, ct);
        }
        return stored;
      })(),
    );
  }

  async #commitPostgres(writes: PendingWrite[]): Promise<boolean[]> {
    const first = this.#firstOccurrences(writes);
    return this.#opts.store.db.transaction().execute(async (trx) => {
      const candidates = writes.filter((_, i) => first[i]);
      const inserted = new Set<string>();
      for (let i = 0; i < candidates.length; i += 10_000) {
        const rows = await trx
          .insertInto('ingest_dedup')
          .values(candidates.slice(i, i + 10_000).map((w) => ({ day: w.dedupDay, hash: w.dedupHash })))
          .onConflict((oc) => oc.columns(['day', 'hash']).doNothing())
          .returning(['day', 'hash'])
          .execute();
        for (const r of rows) inserted.add(`${r.day}:${Buffer.from(r.hash).toString('latin1')}`);
      }
      const stored = writes.map((w, i) => first[i]! && inserted.has(`${w.dedupDay}:${w.dedupHash.toString('latin1')}`));
      const events = writes.filter((_, i) => stored[i]).map((w) => w.event);
      if (events.length > 0) {
        // Another process may have started a new log epoch and be about to erase this one's key.
        await joinKeyring(trx, this.#opts.keyring);
        const { epoch, ct } = this.#seal(events);
        await trx.insertInto('vault_log').values({ epoch, n_events: events.length, ct }).execute();
      }
      return stored;
    });
  }

  /** Resolves once every write queued so far has committed (or failed). */
  async idle(): Promise<void> {
    while (this.#running) await new Promise((r) => setTimeout(r, 2));
  }

  /** Stops accepting writes and waits for queued ones to commit. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }
}
