// The node side of the ingest benchmark, in its own process so its RSS is measured alone: SQLite in a
// temp dir, the real pipeline, vault and compaction (default schedule), POST /v1/ingest and the embedded
// MQTT broker, and an in-memory identity lookup of the benchmark's devices (addresses from a file).
//   node ingest-node.ts <dataDir> <addressesFile>
// Prints "READY <httpPort> <mqttUrl>"; answers IPC {cmd: 'stats' | 'flush' | 'stop'}. BENCH_COMPACT_MS
// overrides the compaction interval (default: the node's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpServer } from '../../src/api/http-server.ts';
import { systemClock } from '../../src/core/clock.ts';
import { HealthRegistry } from '../../src/core/health.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createMetrics } from '../../src/core/metrics.ts';
import { startIngestService } from '../../src/ingest/ingest-service.ts';
import { MemoryIdentity, TEST_CHAIN_ID } from '../../src/ingest/testing.ts';
import { registerIngestRoutes } from '../../src/ingest/transports/http-routes.ts';
import { attachEmbeddedBroker } from '../../src/ingest/transports/mqtt-embedded.ts';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.ts';
import { openStore } from '../../src/store/open-store.ts';
import { loadOrCreateKek } from '../../src/vault/kek-file.ts';

const [dataDir, addressesFile] = [process.argv[2]!, process.argv[3]!];
const logger = silentLogger();
const identity = new MemoryIdentity();
const lines = readFileSync(addressesFile, 'utf8').trim().split('\n');
for (let i = 0; i < lines.length; i++) {
  const id = BigInt(i + 1);
  identity.devices.set(lines[i]!, { kind: 'aftermarket', tokenId: id, vehicleId: id });
  identity.vehicles.set(id, { tokenId: id, owner: '0x' + (i + 1).toString(16).padStart(40, '0'), version: 1 });
}
const metrics = createMetrics({ defaults: false });
const store = await openStore({ dataDir, logger });
const svc = await startIngestService({
  store, kek: loadOrCreateKek(join(dataDir, 'keys', 'kek.key')), keyringFile: join(dataDir, 'keys', 'vault-keyring.json'),
  identity, chain: { chainId: TEST_CHAIN_ID }, clock: systemClock, logger, metrics,
  ...(process.env.BENCH_COMPACT_MS ? { compactIntervalMs: Number(process.env.BENCH_COMPACT_MS) } : {}),
  ...(process.env.OPENDIMO_VERIFY_THREADS ? { verifyThreads: Number(process.env.OPENDIMO_VERIFY_THREADS) } : {}),
});
const app = await createHttpServer({ logger, metrics, health: new HealthRegistry() });
await registerIngestRoutes(app, { pipeline: () => svc.pipeline, maxRequestBytes: 64 << 20 });
await app.listen({ host: '127.0.0.1', port: 0 });
const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
attachEmbeddedBroker(broker.broker, () => svc.pipeline, logger);

process.on('message', (msg: { cmd: string }) => {
  void (async () => {
    if (msg.cmd === 'stats') {
      const log = await store.db.selectFrom('vault_log').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('n_events'), eb.lit(0)).as('n')).executeTakeFirst();
      const compacted = (await metrics.registry.getSingleMetric('opendimo_vault_compacted_events_total')?.get())?.values[0]?.value ?? 0;
      const cpu = process.cpuUsage();
      const main = process.threadCpuUsage();
      process.send!({ rssMb: process.memoryUsage().rss / 2 ** 20, logBacklog: Number(log?.n ?? 0), compacted, cpuUs: cpu.user + cpu.system, mainUs: main.user + main.system });
    } else if (msg.cmd === 'flush') {
      const started = performance.now();
      const events = await svc.vault.flush();
      process.send!({ events, seconds: (performance.now() - started) / 1000, rssMb: process.memoryUsage().rss / 2 ** 20 });
    } else if (msg.cmd === 'stop') {
      await app.close();
      await broker.stop();
      await svc.close();
      await store.close();
      process.send!({ stopped: true });
      process.exit(0);
    }
  })();
});
process.stdout.write(`READY ${(app.server.address() as { port: number }).port} ${broker.url}\n`);
