// The activity log: per owner, append-only, hash-chained, encrypted. Keys come from the vault: each
// owner's entries are sealed (AES-256-GCM, row identity as associated data) under a vault data key of
// kind `owner`, which a keyring bucket key wraps and the node's KEK seals in turn; the pseudonyms and
// tags are keyed by a KEK-derived vault secret. Shredding an owner deletes their rows and crypto-shreds
// their key through the vault's shredder (bucket rotation), so a backup taken earlier cannot be read.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Store } from '../store/store.ts';
import type { Vault } from '../vault/vault.ts';
import { normalizeOwner, ownerKeyRef, prepareEntry, ActivityTags } from './activity-codec.ts';
import type { ActivityEntry, ActivityEntryInput, ActivityLog, ActivityQuery, ActivityVerification } from './activity-log.ts';
import { listEntries, verifyChain, type ReaderDeps } from './activity-reader.ts';
import { ActivityWriter } from './activity-writer.ts';

export interface ActivityJournalOptions {
  store: Store;
  /** The node's vault (the ingest service opens it): data keys, keyring secret, shredder. */
  vault: Pick<Vault, 'keys' | 'keyring' | 'shredder'>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  coalesceMs?: number;
  maxBatch?: number;
  maxHeads?: number;
}

export class ActivityJournal implements ActivityLog {
  readonly #o: ActivityJournalOptions;
  readonly #tags: ActivityTags;
  readonly #writer: ActivityWriter;
  readonly #reader: ReaderDeps;

  constructor(options: ActivityJournalOptions) {
    this.#o = options;
    this.#tags = new ActivityTags(options.vault.keyring.secret('activity'));
    this.#writer = new ActivityWriter({
      store: options.store, keys: options.vault.keys, tags: this.#tags, logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.coalesceMs !== undefined ? { coalesceMs: options.coalesceMs } : {}),
      ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
      ...(options.maxHeads !== undefined ? { maxHeads: options.maxHeads } : {}),
    });
    this.#reader = { db: options.store.db, keys: options.vault.keys, tags: this.#tags };
  }

  /** Transactions and entries written so far. */
  get stats(): { transactions: number; entries: number; retries: number } {
    return { ...this.#writer.stats };
  }

  append(entry: ActivityEntryInput): Promise<void> {
    try {
      return this.#writer.enqueue([prepareEntry(entry, this.#o.clock.now())]);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  appendMany(entries: ActivityEntryInput[]): Promise<void> {
    try {
      const now = this.#o.clock.now();
      return this.#writer.enqueue(entries.map((e) => prepareEntry(e, now)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async list(owner: string, query: ActivityQuery): Promise<{ entries: ActivityEntry[]; nextCursor?: string }> {
    const address = normalizeOwner(owner);
    await this.#writer.flush(); // the owner sees what was appended before they asked
    return listEntries(this.#reader, address, query);
  }

  async verify(owner: string): Promise<ActivityVerification> {
    const address = normalizeOwner(owner);
    await this.#writer.flush();
    return verifyChain(this.#reader, address, this.#writer.head(this.#tags.owner(address)));
  }

  async shred(owner: string): Promise<void> {
    const tag = this.#tags.owner(normalizeOwner(owner));
    await this.#writer.flush();
    await this.#writer.exclusive(async () => {
      const report = await this.#o.vault.shredder.shredKeys([ownerKeyRef(tag)], async (trx) => {
        const entries = await trx.deleteFrom('activity_entries').where('owner_tag', '=', tag).executeTakeFirst();
        const heads = await trx.deleteFrom('activity_heads').where('owner_tag', '=', tag).executeTakeFirst();
        return Number(entries.numDeletedRows) + Number(heads.numDeletedRows);
      });
      this.#writer.forgetHead(tag);
      this.#o.logger.info({ rows: report.rows, keys: report.keys }, 'owner activity log shredded');
    });
  }

  /** Writes everything appended so far. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Writes what is pending and refuses further appends. */
  close(): Promise<void> {
    return this.#writer.close();
  }
}
