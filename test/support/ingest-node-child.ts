// A minimal ingest node in its own process, for the crash test: SQLite in a data dir, the real
// pipeline and vault, POST /v1/ingest on a free port (printed as "PORT <n>"), an in-memory identity
// lookup with deterministic devices. Compaction runs often so a kill can land in the middle of it.
//   node ingest-node-child.ts <dataDir> <devices>
import { join } from 'node:path';
import { createHttpServer } from '../../src/api/http-server.ts';
import { systemClock } from '../../src/core/clock.ts';
import { HealthRegistry } from '../../src/core/health.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createMetrics } from '../../src/core/metrics.ts';
import { startIngestService } from '../../src/ingest/ingest-service.ts';
import { makeDevice, MemoryIdentity, TEST_CHAIN_ID } from '../../src/ingest/testing.ts';
import { registerIngestRoutes } from '../../src/ingest/transports/http-routes.ts';
import { openStore } from '../../src/store/open-store.ts';
import { loadOrCreateKek } from '../../src/vault/kek-file.ts';

const [dataDir, devices] = [process.argv[2]!, Number(process.argv[3] ?? 20)];
const logger = silentLogger();
const identity = new MemoryIdentity();
for (let i = 0; i < devices; i++) identity.add(makeDevice('crash', i));
const store = await openStore({ dataDir, logger });
const svc = await startIngestService({
  store, kek: loadOrCreateKek(join(dataDir, 'keys', 'kek.key')), keyringFile: join(dataDir, 'keys', 'vault-keyring.json'),
  identity, chain: { chainId: TEST_CHAIN_ID }, clock: systemClock, logger, compactIntervalMs: 150, verifyThreads: 1,
});
const app = await createHttpServer({ logger, metrics: createMetrics({ defaults: false }), health: new HealthRegistry() });
await registerIngestRoutes(app, { pipeline: () => svc.pipeline, maxRequestBytes: 8 << 20 });
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`PORT ${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await svc.close();
    await store.close();
    process.exit(0);
  })();
});
