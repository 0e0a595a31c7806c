// An ingest service on a real store with an in-memory identity lookup and deterministic devices, for
// tests that exercise the pipeline without a chain.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBus } from '../../src/bus/memory-bus.ts';
import type { Bus } from '../../src/bus/bus.ts';
import { ManualClock, type Clock } from '../../src/core/clock.ts';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { startIngestService, type IngestService } from '../../src/ingest/ingest-service.ts';
import { makeDevice, MemoryIdentity, TEST_AFTERMARKET_CONTRACT, TEST_CHAIN_ID, TEST_VEHICLE_CONTRACT, type TestDevice } from '../../src/ingest/testing.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';

export interface Harness {
  dir: string;
  store: Store;
  svc: IngestService;
  identity: MemoryIdentity;
  devices: TestDevice[];
  clock: Clock;
  bus: Bus;
  kek: Buffer;
  keyringFile: string;
  close(): Promise<void>;
}

/** Now, for events: the harness clock starts here and tests sign events around it. */
export const HARNESS_T0 = Date.UTC(2026, 4, 1, 12, 0, 0);

export async function startHarness(opts: { devices?: number; unpaired?: number; databaseUrl?: string; clock?: Clock; logger?: Logger; store?: Store } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-ingest-'));
  const store = opts.store ?? (await openStore({ dataDir: dir, logger: silentLogger(), ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) }));
  const identity = new MemoryIdentity();
  const devices: TestDevice[] = [];
  for (let i = 0; i < (opts.devices ?? 4); i++) {
    const d = makeDevice('harness', i);
    identity.add(d);
    devices.push(d);
  }
  for (let i = 0; i < (opts.unpaired ?? 0); i++) {
    const d = makeDevice('harness-unpaired', i);
    identity.add({ ...d, deviceTokenId: 1000n + BigInt(i), vehicleTokenId: 1000n + BigInt(i) }, { paired: false });
    devices.push({ ...d, deviceTokenId: 1000n + BigInt(i), vehicleTokenId: 1000n + BigInt(i) });
  }
  const clock = opts.clock ?? new ManualClock(HARNESS_T0);
  const bus = createMemoryBus({ logger: silentLogger() });
  const kek = randomBytes(32);
  const keyringFile = join(dir, 'keys', 'vault-keyring.json');
  const svc = await startIngestService({
    store, kek, keyringFile, identity, clock, bus, logger: opts.logger ?? silentLogger(), compactIntervalMs: 0, verifyThreads: 2,
    chain: { chainId: TEST_CHAIN_ID, vehicleContract: TEST_VEHICLE_CONTRACT.toLowerCase(), aftermarketContract: TEST_AFTERMARKET_CONTRACT.toLowerCase() },
  });
  return {
    dir, store, svc, identity, devices, clock, bus, kek, keyringFile,
    async close() {
      await svc.close();
      await bus.close();
      if (!opts.store) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
