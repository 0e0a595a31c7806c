// Assembles the ingest side of a node: signature workers, the vault, privacy settings and the pipeline.
// The capability uses it with the node's services; tests, the benchmark and the crash test use it with
// an in-memory identity lookup.
//
// With a leader lease on PostgreSQL (a cluster, where several processes open the vault) only the lease
// holder compacts (leader-compaction.ts); every process still reads the vault and appends to it. On
// SQLite one process owns the database, so its vault compacts (and checkpoints the WAL) as always.
import type { Bus } from '../bus/bus.ts';
import { staticLease, whileLeader, type LeaderLease } from '../cluster/leader-lease.ts';
import type { ActivityLog } from '../activity/activity-log.ts';
import { startRetention } from '../vault/retention-sweeper.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { PrivacySettingsStore } from '../privacy/privacy-settings.ts';
import type { Store } from '../store/store.ts';
import { openVault, type Vault } from '../vault/vault.ts';
import { loadDefaultCatalog, type SignalCatalog } from './normalize/signal-catalog.ts';
import { startLeaderCompaction } from './leader-compaction.ts';
import { startVaultSync } from './vault-sync.ts';
import { IngestPipeline, type ChainFacts, type IngestIdentity } from './pipeline/pipeline.ts';
import { VerifyPool } from './verify/verify-pool.ts';

export interface IngestServiceOptions {
  store: Store;
  kek: Buffer;
  keyringFile: string;
  identity: IngestIdentity;
  chain: ChainFacts;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  bus?: Bus;
  catalog?: SignalCatalog;
  /** Verification worker threads; 0 or absent: one per core. */
  verifyThreads?: number;
  /** Clock skew allowed into the future; default 5 minutes. */
  maxFutureMs?: number;
  /** Oldest event accepted, and how long duplicates are remembered; default 30 days. */
  maxAgeDays?: number;
  maxInflight?: number;
  compactIntervalMs?: number;
  /** The cluster's lease: on PostgreSQL, compaction runs only while this process holds it. */
  leader?: LeaderLease;
  maxEventsPerCommit?: number;
  maxEventsPerCompaction?: number;
  /** Where the retention sweeper records deletions for owners (the node's activity log). */
  activity?: () => ActivityLog | undefined;
  /** Between retention sweeps (owners' retention windows); default one hour, 0 disables. */
  retentionSweepMs?: number;
}

export interface IngestService {
  pipeline: IngestPipeline;
  vault: Vault;
  privacy: PrivacySettingsStore;
  verifier: VerifyPool;
  catalog: SignalCatalog;
  identity: IngestIdentity;
  close(): Promise<void>;
}

export const DEFAULT_MAX_FUTURE_MS = 5 * 60_000;
export const DEFAULT_MAX_AGE_DAYS = 30;

export async function startIngestService(o: IngestServiceOptions): Promise<IngestService> {
  const catalog = o.catalog ?? loadDefaultCatalog();
  const maxAgeDays = o.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
  const leader = o.leader && o.store.dialect === 'postgres' ? o.leader : undefined;
  const vault = await openVault({
    store: o.store, kek: o.kek, keyringFile: o.keyringFile, clock: o.clock, logger: o.logger,
    names: catalog.signals.map((s) => s.name), dedupRetentionDays: maxAgeDays,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(leader ? { compactIntervalMs: 0 } : o.compactIntervalMs !== undefined ? { compactIntervalMs: o.compactIntervalMs } : {}),
    ...(o.maxEventsPerCommit ? { maxEventsPerCommit: o.maxEventsPerCommit } : {}),
    ...(o.maxEventsPerCompaction ? { maxEventsPerCompaction: o.maxEventsPerCompaction } : {}),
  });
  const privacy = new PrivacySettingsStore(o.store, vault.keys, o.clock);
  try {
    await privacy.load();
  } catch (err) {
    await vault.close();
    throw err;
  }
  // A shredded vehicle's cached policy goes with its data.
  vault.shredder.onShredded((vehicleId, versions) => privacy.forget(vehicleId, versions));
  const sync = o.bus ? startVaultSync({ bus: o.bus, vault, privacy, logger: o.logger }) : undefined;
  const compaction = leader
    ? startLeaderCompaction({
      store: o.store, vault, leader, clock: o.clock, logger: o.logger,
      ...(o.compactIntervalMs !== undefined ? { intervalMs: o.compactIntervalMs } : {}),
    })
    : undefined;
  // Owners' retention windows: a singleton job, like compaction (every process on SQLite is the only one).
  const retentionMs = o.retentionSweepMs ?? 3_600_000;
  const retention = retentionMs > 0
    ? whileLeader(
      o.leader ?? staticLease(true),
      async () => startRetention({
        store: o.store, clock: o.clock, logger: o.logger, pseudonyms: vault.pseudonyms, maxEventAgeDays: maxAgeDays, intervalMs: retentionMs,
        exclusive: (fn) => vault.compactor.exclusive(fn), ...(o.activity ? { activity: o.activity } : {}),
      }),
      (err) => o.logger.error({ err }, 'the retention sweeper failed to start or stop'),
    )
    : undefined;
  const verifier = new VerifyPool({ logger: o.logger, ...(o.verifyThreads ? { threads: o.verifyThreads } : {}) });
  const pipeline = new IngestPipeline({
    identity: o.identity, verifier, log: vault.log, privacy, catalog, clock: o.clock, chain: o.chain,
    dedupSecret: vault.keyring.secret('dedup'), maxFutureMs: o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS, maxAgeMs: maxAgeDays * 86_400_000,
    maxInflight: o.maxInflight ?? 50_000, logger: o.logger,
    ...(o.bus ? { bus: o.bus } : {}), ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  return {
    pipeline, vault, privacy, verifier, catalog, identity: o.identity,
    async close() {
      sync?.stop();
      await retention?.stop();
      await compaction?.stop();
      await vault.close();
      await verifier.close();
    },
  };
}
