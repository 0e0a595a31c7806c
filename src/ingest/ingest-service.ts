// Assembles the ingest side of a node: signature workers, the vault, privacy settings and the pipeline.
// The capability uses it with the node's services; tests, the benchmark and the crash test use it with
// an in-memory identity lookup.
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { PrivacySettingsStore } from '../privacy/privacy-settings.ts';
import type { Store } from '../store/store.ts';
import { openVault, type Vault } from '../vault/vault.ts';
import { loadDefaultCatalog, type SignalCatalog } from './normalize/signal-catalog.ts';
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
  maxEventsPerCommit?: number;
  maxEventsPerCompaction?: number;
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
  const vault = await openVault({
    store: o.store, kek: o.kek, keyringFile: o.keyringFile, clock: o.clock, logger: o.logger,
    names: catalog.signals.map((s) => s.name), dedupRetentionDays: maxAgeDays,
    ...(o.metrics ? { metrics: o.metrics } : {}),
    ...(o.compactIntervalMs !== undefined ? { compactIntervalMs: o.compactIntervalMs } : {}),
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
      await vault.close();
      await verifier.close();
    },
  };
}
