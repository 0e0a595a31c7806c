import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore } from '/work/main/src/store/open-store.ts';
import { silentLogger } from '/work/main/src/core/logger.ts';
import { systemClock } from '/work/main/src/core/clock.ts';
import { startIngestService } from '/work/main/src/ingest/ingest-service.ts';
import { MemoryIdentity, makeDevice, signedEvent, twentySignals, TEST_CHAIN_ID } from '/work/main/src/ingest/testing.ts';
const mem = (l: string) => { const m = process.memoryUsage(); console.log(l, Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 2 ** 20)]))); };
const dir = mkdtempSync(join(tmpdir(), 'mem-'));
const store = await openStore({ dataDir: dir, logger: silentLogger() });
const identity = new MemoryIdentity();
const N = 30000;
const devs = Array.from({ length: N }, (_, i) => makeDevice('mem', i));
for (const d of devs) identity.add(d);
const svc = await startIngestService({ store, kek: randomBytes(32), keyringFile: join(dir, 'keys/ring.json'), identity, chain: { chainId: TEST_CHAIN_ID }, clock: systemClock, logger: silentLogger(), compactIntervalMs: 0, ...(process.env.CMAX ? { maxEventsPerCompaction: Number(process.env.CMAX) } : {}) } as never);
const now = new Date().toISOString();
for (let k = 0; k < N / 1000; k++) {
  const body = Buffer.from('[' + devs.slice(k * 1000, k * 1000 + 1000).map((d, i) => signedEvent(d, { id: `e${k}-${i}`, time: now, data: twentySignals(now, i) })).join(',') + ']');
  await svc.pipeline.ingest([body], { transport: 'http' });
}
mem('after ingest'); console.log('workers', (await svc.verifier.heapStatistics()).map((h) => [Math.round(h.used / 2 ** 20), Math.round(h.total / 2 ** 20)]));
const t = Date.now();
const n = await svc.vault.flush();
console.log('compacted', n, Date.now() - t, 'ms', Math.round(n / (Date.now() - t) * 1000), '/s');
mem('after compaction');
global.gc?.();
mem("after gc"); console.log("workers", (await svc.verifier.heapStatistics()).map((h) => [Math.round(h.used / 2 ** 20), Math.round(h.total / 2 ** 20)])); console.log((await import("node:fs")).readFileSync("/proc/self/status","utf8").split("\n").filter((l) => /Rss|VmHWM/.test(l)).join(" | ")); (await import("node:v8")).writeHeapSnapshot("/tmp/h.heapsnapshot"); await svc.close(); await store.close();
