// A real node on loopback for HTTP tests: embedded anvil with the compiled contracts (from the shared test
// cache), SQLite in a temp dir, HTTP on a free port, and the capabilities the caller names. Owners sign in
// over HTTP exactly as a wallet would. test/owners/support/owner-node.ts and
// test/web/support/dashboard-node.ts build on it.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LocalAccount } from 'viem/accounts';
import { compileContractsDetailed } from '../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../src/chain/testing.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Capability } from '../../src/node/capability.ts';
import { startNode, type NodeHandle } from '../../src/node/start-node.ts';
import { attachChainFixture, type ChainFixture } from '../identity/support/identity-fixture.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is instead of a JSON body, with contentType (default application/octet-stream). */
  raw?: Buffer;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface HttpNode {
  node: NodeHandle;
  baseUrl: string;
  dataDir: string;
  chain: ChainFixture;
  call(method: string, path: string, opts?: CallOptions): Promise<HttpAnswer>;
  /** Challenge → sign → verify; the owner's token. */
  signIn(account: LocalAccount): Promise<string>;
  stop(): Promise<void>;
}

export interface HttpNodeOptions {
  /** Names the temp dir. */
  name: string;
  clock?: Clock;
  /** Called with the data dir before the node starts (to prepare files there); the capabilities to run. */
  capabilities(dataDir: string): Promise<Capability[]> | Capability[];
}

export async function startHttpNode(opts: HttpNodeOptions): Promise<HttpNode> {
  const temp = await makeTempDir(opts.name);
  const logger = silentLogger();
  let node: NodeHandle;
  try {
    const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
    await mkdir(join(temp.dir, 'cache'), { recursive: true });
    await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
    const capabilities = await opts.capabilities(temp.dir);
    const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1 } });
    node = await startNode(config, { logger, capabilities, ...(opts.clock ? { clock: opts.clock } : {}) });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const baseUrl = node.urls.http;

  const call: HttpNode['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    let body: RequestInit['body'];
    if (o.raw) {
      body = o.raw;
      headers['content-type'] = o.contentType ?? 'application/octet-stream';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
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
      if (challenge.status !== 200) throw new Error(`challenge: ${challenge.text}`);
      const signature = await account.signMessage({ message: challenge.json.message });
      const verified = await call('POST', '/v1/owner/auth/verify', { body: { message: challenge.json.message, signature } });
      if (verified.status !== 200) throw new Error(`verify: ${verified.text}`);
      return verified.json.token as string;
    },
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
}
