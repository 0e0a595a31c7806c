// A real node for owner tests: embedded anvil, SQLite, HTTP on a free port, running identity, ingest
// (which opens the vault the activity log writes under), owner sign-in and the activity log, on a
// manual clock that starts at the wall clock. Owners sign in over HTTP exactly as a wallet would.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LocalAccount } from 'viem/accounts';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { ownerAuthCapability } from '../../../src/api/auth/owner-auth-capability.ts';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: any;
}

export interface OwnerNode {
  node: NodeHandle;
  baseUrl: string;
  dataDir: string;
  clock: ManualClock;
  chain: ChainFixture;
  call(method: string, path: string, opts?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<HttpAnswer>;
  /** Challenge → sign → verify; the owner's token. */
  signIn(account: LocalAccount): Promise<string>;
  /** Waits until the mirror holds every block mined so far. */
  mirrored(): Promise<void>;
  stop(): Promise<void>;
}

export async function startOwnerNode(): Promise<OwnerNode> {
  const temp = await makeTempDir('owner-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1 } });
  const clock = new ManualClock(Date.now());
  let node: NodeHandle;
  try {
    node = await startNode(config, { logger, clock, capabilities: [identityCapability, ingestCapability, ownerAuthCapability, activityCapability] });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const baseUrl = node.urls.http;

  const call: OwnerNode['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };

  return {
    node, baseUrl, dataDir: temp.dir, clock, chain, call,
    async signIn(account) {
      const challenge = await call('POST', '/v1/owner/auth/challenge', { body: { address: account.address } });
      if (challenge.status !== 200) throw new Error(`challenge: ${JSON.stringify(challenge.json)}`);
      const signature = await account.signMessage({ message: challenge.json.message });
      const verified = await call('POST', '/v1/owner/auth/verify', { body: { message: challenge.json.message, signature } });
      if (verified.status !== 200) throw new Error(`verify: ${JSON.stringify(verified.json)}`);
      return verified.json.token as string;
    },
    async mirrored() {
      await getIdentityRuntime(node.services).mirror.indexer.waitFor(await chain.blockNumber());
    },
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
}
