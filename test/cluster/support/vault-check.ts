// The most direct check of what the cluster stored: with every node process stopped, open the shared
// PostgreSQL vault with the cluster's KEK and keyring, compact what is left in the append log, and read
// every archived event of every fleet vehicle back (decrypted), counting each event id.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Cluster } from '../../../src/cluster/harness/start-cluster.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { loadDefaultCatalog } from '../../../src/ingest/normalize/signal-catalog.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { loadOrCreateKek } from '../../../src/vault/kek-file.ts';
import { openVault } from '../../../src/vault/vault.ts';
import type { Fleet, FleetDevice } from './fleet.ts';
import type { Load } from './load.ts';

export interface StoredCheck {
  /** Acknowledged ids not found in the vault. */
  missing: string[];
  /** Ids stored more than once, with their count. */
  twice: Array<[string, number]>;
  stored: number;
}

export async function checkStored(cluster: Cluster, devices: FleetDevice[], acked: Iterable<string>): Promise<StoredCheck> {
  await Promise.all(cluster.processes.map((p) => p.stop()));
  const dataDir = mkdtempSync(join(tmpdir(), 'opendimo-cluster-check-'));
  const logger = silentLogger();
  const store = await openStore({ dataDir, logger, databaseUrl: cluster.postgres.url, migrate: false });
  try {
    const vault = await openVault({
      store, kek: loadOrCreateKek(cluster.kekFile), keyringFile: cluster.keyringFile, clock: systemClock, logger,
      names: loadDefaultCatalog().signals.map((s) => s.name), dedupRetentionDays: 30, compactIntervalMs: 0,
    });
    try {
      await vault.flush();
      const counts = new Map<string, number>();
      for (const d of devices) {
        const row = await store.db.selectFrom('identity_vehicles').select('version').where('token_id', '=', String(d.vehicleTokenId)).executeTakeFirst();
        const version = Number(row?.version ?? 0);
        for (const e of await vault.reader.events(String(d.vehicleTokenId), version)) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
      }
      return {
        missing: [...acked].filter((id) => !counts.has(id)),
        twice: [...counts].filter(([, n]) => n > 1),
        stored: counts.size,
      };
    } finally {
      await vault.close();
    }
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A fault test's verdict: every id acknowledged under `load` (and each probe) stored exactly once. Stops the node processes. */
export async function assertNothingLost(t: TestContext, cluster: Cluster, fleet: Fleet, load: Load, probes: string[]): Promise<void> {
  const result = await checkStored(cluster, fleet.devices, [...probes, ...load.acked]);
  t.diagnostic(`sent ${load.sent()}, acknowledged ${load.acked.size}, failed posts ${load.failures()}, stored ${result.stored}`);
  assert.deepEqual(result.missing, [], `${result.missing.length} acknowledged events lost`);
  assert.deepEqual(result.twice, [], 'no event stored twice');
}
