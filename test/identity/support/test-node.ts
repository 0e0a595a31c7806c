// A real node (embedded anvil with the full deploy plan, SQLite, HTTP on a free port) running the
// identity capability, for tests over real HTTP. The compile cache is seeded from the suite's shared
// cache so the node does not run solc again.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import type { Clock } from '../../../src/core/clock.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';

export interface TestNode {
  node: NodeHandle;
  baseUrl: string;
  stop(): Promise<void>;
}

export async function startTestNode(opts: { confirmations?: number; clock?: Clock } = {}): Promise<TestNode> {
  const temp = await makeTempDir('identity-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': opts.confirmations ?? 0, 'log.level': 'silent' } });
  let node: NodeHandle;
  try {
    node = await startNode(config, { logger, capabilities: [identityCapability], ...(opts.clock ? { clock: opts.clock } : {}) });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  return {
    node,
    baseUrl: node.urls.http,
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
}
