// The vault: where verified telemetry is kept, encrypted under keys the owner's deletion destroys.
// Wires the keyring (outside the database), data keys, the append log with group commit, background
// compaction, the reader and the shredder.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import type { Store } from '../store/store.ts';
import { Compactor } from './compactor.ts';
import { DataKeys } from './data-keys.ts';
import { EventLog } from './event-log.ts';
import { Keyring } from './keyring.ts';
import { Pseudonyms } from './pseudonyms.ts';
import { Shredder } from './shredder.ts';
import { VaultReader } from './vault-reader.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';

export interface VaultOptions {
  store: Store;
  kek: Buffer;
  keyringFile: string;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Signal catalogue names in id order. */
  names: readonly string[];
  dedupRetentionDays: number;
  /**
   * Background compaction runs this long after the previous one (default 30 s), or sooner once
   * `compactBacklogEvents` (default 200,000) events wait in the append log. 0 disables the loop.
   * Batching many events per vehicle into one compaction is what keeps compaction cheap.
   */
  compactIntervalMs?: number;
  compactBacklogEvents?: number;
  maxEventsPerCommit?: number;
  maxEventsPerCompaction?: number;
  keyCacheSize?: number;
}

export interface Vault {
  keyring: Keyring;
  keys: DataKeys;
  pseudonyms: Pseudonyms;
  log: EventLog;
  compactor: Compactor;
  reader: VaultReader;
  shredder: Shredder;
  /** Compacts everything appended so far (tests, export, shutdown). */
  flush(): Promise<number>;
  close(): Promise<void>;
}

const KEYRING_META = 'vault_keyring_id';

export async function openVault(o: VaultOptions): Promise<Vault> {
  const logger = o.logger.child({ component: 'vault' });
  const recorded = await getMeta(o.store.db, KEYRING_META);
  const keyring = Keyring.open(o.keyringFile, o.kek, { create: recorded === undefined });
  if (recorded === undefined) await setMeta(o.store.db, KEYRING_META, keyring.id, o.clock.now());
  else if (recorded !== keyring.id) {
    throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${o.keyringFile} belongs to another database (its data cannot be read with it)`, {
      details: { path: o.keyringFile },
    });
  }
  const keys = new DataKeys(keyring, o.keyCacheSize === undefined ? {} : { cacheSize: o.keyCacheSize });
  const pseudonyms = new Pseudonyms(keyring);
  const log = new EventLog({
    store: o.store, keyring, names: o.names, logger, ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.maxEventsPerCommit ? { maxBatch: o.maxEventsPerCommit } : {}),
  });
  const compactor = new Compactor({
    store: o.store, keyring, dataKeys: keys, pseudonyms, clock: o.clock, logger, dedupRetentionDays: o.dedupRetentionDays,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.maxEventsPerCompaction ? { maxEventsPerRun: o.maxEventsPerCompaction } : {}),
  });
  const reader = new VaultReader(o.store, keys, pseudonyms);
  const shredder = new Shredder({ store: o.store, keyring, dataKeys: keys, pseudonyms, compactor, clock: o.clock, logger });
  await shredder.recover();

  const pending = await o.store.db.selectFrom('vault_log').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n_events'), eb.lit(0)).as('n')).executeTakeFirst();
  const backlogAtOpen = Number(pending?.n ?? 0);
  const backlog = () => backlogAtOpen + log.appended - compactor.compacted;

  const checkpointer = o.store.sqlite ? startWalCheckpointer(o.store.sqlite, { logger }) : undefined;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> = Promise.resolve();
  const interval = o.compactIntervalMs ?? 30_000;
  const maxBacklog = o.compactBacklogEvents ?? 200_000;
  let last = o.clock.now();
  // Compaction shares the event loop (and SQLite's single writer) with ingest. It runs in small
  // transactions and, while the backlog is below the limit, rests three times as long as each one took,
  // so ingest keeps most of the thread; past the limit it runs flat out, which slows ingest down to what
  // compaction can absorb instead of letting the log grow without bound.
  const tick = () => {
    loop = (async () => {
      if (o.clock.now() - last >= interval || backlog() >= maxBacklog) {
        try {
          for (;;) {
            const started = performance.now();
            const n = await compactor.compactOnce();
            if (n === 0 || stopped) break;
            const spent = performance.now() - started;
            await new Promise((r) => (backlog() >= maxBacklog ? setImmediate(r) : setTimeout(r, spent * 3)));
          }
          await compactor.maintain();
        } catch (err) {
          logger.error({ err }, 'compaction failed; will retry');
        }
        last = o.clock.now();
      }
      if (!stopped) timer = setTimeout(tick, Math.min(1000, interval));
    })();
  };
  if (interval > 0) timer = setTimeout(tick, Math.min(1000, interval));

  return {
    keyring, keys, pseudonyms, log, compactor, reader, shredder,
    async flush() {
      await log.idle();
      const n = await compactor.drain();
      await compactor.maintain();
      return n;
    },
    async close() {
      stopped = true;
      clearTimeout(timer);
      await log.close();
      await loop;
      await checkpointer?.stop();
    },
  };
}
