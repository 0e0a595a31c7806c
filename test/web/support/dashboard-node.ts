// A real node for the dashboard's API tests: embedded anvil with every contract, SQLite, HTTP on a free
// port, with the identity and licensing mirrors, ingest (the vault), owner sign-in, the activity log,
// app access (developer sign-in, token exchange), the dashboard's owner API and consoles, and the web capability serving a small prepared folder.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LocalAccount } from 'viem/accounts';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { appAccessCapability } from '../../../src/api/apps/app-access-capability.ts';
import { ownerAuthCapability } from '../../../src/api/auth/owner-auth-capability.ts';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { consoleCapability } from '../../../src/console/console-capability.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../../src/licensing/licensing-services.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';
import { createOwnersCapability } from '../../../src/owners/owners-capability.ts';
import { createWebCapability } from '../../../src/webapp/web-capability.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface DashboardNode {
  node: NodeHandle;
  baseUrl: string;
  dataDir: string;
  chain: ChainFixture;
  call(method: string, path: string, opts?: { body?: unknown; raw?: Buffer; contentType?: string; token?: string; headers?: Record<string, string> }): Promise<HttpAnswer>;
  signIn(account: LocalAccount): Promise<string>;
  /** Waits until both mirrors hold every block mined so far. */
  mirrored(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDashboardNode(): Promise<DashboardNode> {
  const temp = await makeTempDir('dashboard-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  // A stand-in for web/dist: the routes are what is tested, not the app.
  const dist = join(temp.dir, 'web-dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-abc123.js"></script>');
  await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log("app")');
  const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1 } });
  let node: NodeHandle;
  try {
    node = await startNode(config, {
      logger,
      capabilities: [identityCapability, licensingCapability, ingestCapability, ownerAuthCapability, activityCapability, appAccessCapability, createOwnersCapability(), consoleCapability, createWebCapability({ dist, build: false })],
    });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const baseUrl = node.urls.http;

  const call: DashboardNode['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    let body: RequestInit['body'];
    if (opts.raw) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const buf = Buffer.from(await res.arrayBuffer());
    const text = buf.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  return {
    node, baseUrl, dataDir: temp.dir, chain, call,
    async signIn(account) {
      const challenge = await call('POST', '/v1/owner/auth/challenge', { body: { address: account.address } });
      const signature = await account.signMessage({ message: challenge.json.message });
      const verified = await call('POST', '/v1/owner/auth/verify', { body: { message: challenge.json.message, signature } });
      if (verified.status !== 200) throw new Error(`verify: ${verified.text}`);
      return verified.json.token as string;
    },
    async mirrored() {
      const block = await chain.blockNumber();
      await getIdentityRuntime(node.services).mirror.indexer.waitFor(block);
      await getLicensingMirror(node.services).indexer.waitFor(block);
    },
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
}
