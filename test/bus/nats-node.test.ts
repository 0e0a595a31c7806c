// A node started with OPENDIMO_NATS_URL runs on the NATS bus (the store-backed outbox included).
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compileContractsDetailed } from '../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../src/chain/testing.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startNode } from '../../src/node/start-node.ts';
import { startNatsServer } from '../support/nats-server.ts';

const nats = await startNatsServer({ jetstream: true });
after(() => ('skipped' in nats ? undefined : nats.stop()));

it('uses the NATS bus when natsUrl is set', { skip: 'skipped' in nats ? nats.skipped : false, timeout: 120_000 }, async () => {
  if ('skipped' in nats) return;
  const temp = await makeTempDir('nats-node');
  after(() => temp.cleanup());
  // The compiled contracts from the shared test cache, so the embedded chain does not compile them again.
  const { cacheFile } = await compileContractsDetailed({ logger: silentLogger(), cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({ mode: 'dev', env: { OPENDIMO_NATS_URL: nats.url }, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent' } });
  const node = await startNode(config, { logger: silentLogger(), capabilities: [] });
  try {
    const { bus } = node.services;
    assert.equal(bus.kind, 'nats');
    const got: unknown[] = [];
    bus.subscribe('telemetry.*', (p) => void got.push(p));
    await bus.publish('telemetry.5', { vehicleTokenId: '5', id: 5n });
    const deadline = Date.now() + 10_000;
    while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, [{ vehicleTokenId: '5', id: 5n }]);
    const health = (await (await fetch(node.urls.health)).json()) as { checks: Record<string, { ok: boolean; detail: string }> };
    assert.equal(health.checks.bus?.ok, true);
    assert.match(health.checks.bus?.detail ?? '', /^nats .*stream OPENDIMO_BUS .*outbox 0$/);
  } finally {
    await node.stop();
  }
});
