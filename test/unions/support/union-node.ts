// A real node for the unions, aggregates, rewards and licensing-metrics tests: embedded anvil with the
// full deploy plan, SQLite, HTTP on a free port, on a manual clock that starts at the wall clock, running
// identity, licensing, ingest (the vault), owner sign-in, the activity log, unions, rewards and
// licensing metrics. Owners sign in over HTTP as a wallet would; apps sign requests (EIP-191).
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createTestClient, http } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { ownerAuthCapability } from '../../../src/api/auth/owner-auth-capability.ts';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { appRequestMessage, APP_SIGNATURE_HEADER, APP_TIMESTAMP_HEADER } from '../../../src/connectors/commands/app-request-auth.ts';
import { ManualClock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../../src/licensing/licensing-services.ts';
import { getLicensingMetrics, licensingMetricsCapability } from '../../../src/licensing/metrics/metrics-capability.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';
import { rewardsCapability } from '../../../src/rewards/rewards-capability.ts';
import { unionsCapability } from '../../../src/unions/unions-capability.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export interface HttpAnswer {
  status: number;
  json: any;
}

export interface UnionNode {
  node: NodeHandle;
  clock: ManualClock;
  chain: ChainFixture;
  call(method: string, path: string, opts?: { body?: unknown; token?: string; app?: LocalAccount }): Promise<HttpAnswer>;
  signIn(account: LocalAccount): Promise<string>;
  fund(address: `0x${string}`): Promise<void>;
  /** Waits until the identity, licensing and decision mirrors hold every block mined so far. */
  mirrored(): Promise<void>;
  stop(): Promise<void>;
}

export async function startUnionNode(overrides: Record<string, unknown> = {}): Promise<UnionNode> {
  const temp = await makeTempDir('union-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({
    mode: 'dev', env: {},
    overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1, ...overrides },
  });
  const clock = new ManualClock(Date.now());
  let node: NodeHandle;
  try {
    node = await startNode(config, {
      logger, clock,
      capabilities: [identityCapability, licensingCapability, ingestCapability, ownerAuthCapability, activityCapability, unionsCapability, rewardsCapability, licensingMetricsCapability],
    });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const testClient = createTestClient({ mode: 'anvil', transport: http(c.rpcUrl) });
  const baseUrl = node.urls.http;

  const call: UnionNode['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.app) {
      const ts = clock.now();
      headers[APP_TIMESTAMP_HEADER] = String(ts);
      headers[APP_SIGNATURE_HEADER] = await opts.app.signMessage({ message: appRequestMessage(method, path, ts, '') });
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };

  return {
    node, clock, chain, call,
    async signIn(account) {
      const challenge = await call('POST', '/v1/owner/auth/challenge', { body: { address: account.address } });
      if (challenge.status !== 200) throw new Error(`challenge: ${JSON.stringify(challenge.json)}`);
      const signature = await account.signMessage({ message: challenge.json.message });
      const verified = await call('POST', '/v1/owner/auth/verify', { body: { message: challenge.json.message, signature } });
      if (verified.status !== 200) throw new Error(`verify: ${JSON.stringify(verified.json)}`);
      return verified.json.token as string;
    },
    async fund(address) {
      await testClient.setBalance({ address, value: 10n ** 20n });
    },
    async mirrored() {
      const block = await chain.blockNumber();
      await Promise.all([
        getIdentityRuntime(node.services).mirror.indexer.waitFor(block),
        getLicensingMirror(node.services).indexer.waitFor(block),
        getLicensingMetrics(node.services).indexer.waitFor(block),
      ]);
    },
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
}
