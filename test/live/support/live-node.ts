// A real node for live-stream and webhook tests: embedded anvil with the full deploy plan, SQLite, HTTP on
// a free port, running identity, licensing, ingest (vault), the activity log, app access (token
// verification and the telemetry GraphQL at /query, where the live subscription is served over
// graphql-ws), live streams and webhooks. Everything is real: an app license issued and staked on chain,
// vehicles minted, grants made and revoked on chain and mirrored, vehicle and developer JWTs signed with
// the node's app-token key (as the token exchange and web3 sign-in would issue them).
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import type { Address } from 'viem';
import type { LocalAccount } from 'viem/accounts';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { createAppAccessCapability } from '../../../src/api/apps/app-access-capability.ts';
import { getAppAccess } from '../../../src/api/apps/app-access-runtime.ts';
import { signDeveloperTokens } from '../../../src/api/apps/developer-token.ts';
import { signVehicleToken } from '../../../src/api/apps/vehicle-token.ts';
import type { PrivilegeId } from '../../../src/consent/privileges.ts';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../../src/licensing/licensing-services.ts';
import { createLiveCapability } from '../../../src/live/live-capability.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';
import { createWebhookCapability } from '../../../src/webhooks/webhook-capability.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export const E18 = 10n ** 18n;

export interface LiveNode {
  node: NodeHandle;
  baseUrl: string;
  wsUrl: string;
  dataDir: string;
  chain: ChainFixture;
  app: LocalAccount;
  licenseId: string;
  /** Waits until both mirrors hold every block mined so far. */
  mirrored(): Promise<void>;
  /** A graphql-ws client sending `Authorization: Bearer <token>` in connection_init. */
  client(token: string): Client;
  /** A vehicle JWT for the app, as the token exchange issues it. */
  vehicleToken(vehicleId: bigint, privileges: number[]): Promise<string>;
  /** A developer JWT for the app's license, as web3 sign-in issues it. */
  developerToken(): Promise<string>;
  /** Stops the node; with keepData the data dir stays (restart with startLiveNode({dataDir, licenseId})). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
  /** Removes the data dir this node created. */
  removeData(): Promise<void>;
}

export interface StartLiveNodeOptions {
  dataDir?: string;
  /** Extra config overrides (e.g. webhook backoff). */
  overrides?: Record<string, unknown>;
  /** Reuse the license of a previous run on the same data dir. */
  licenseId?: string;
}

export async function startLiveNode(opts: StartLiveNodeOptions = {}): Promise<LiveNode> {
  const temp = opts.dataDir ? undefined : await makeTempDir('live-node');
  const dataDir = opts.dataDir ?? temp!.dir;
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(dataDir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(dataDir, 'cache', basename(cacheFile)));
  const config = loadConfig({
    mode: 'dev', env: {},
    overrides: { dataDir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1, ...opts.overrides },
  });
  let node: NodeHandle;
  try {
    node = await startNode(config, {
      logger,
      capabilities: [identityCapability, licensingCapability, ingestCapability, activityCapability, createAppAccessCapability(), createLiveCapability(), createWebhookCapability()],
    });
  } catch (err) {
    await temp?.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const app = chain.actors.app;
  const baseUrl = node.urls.http;
  const mirrored = async () => {
    const head = await chain.blockNumber();
    await Promise.all([getIdentityRuntime(node.services).mirror.indexer.waitFor(head), getLicensingMirror(node.services).indexer.waitFor(head)]);
  };

  let licenseId = opts.licenseId;
  if (!licenseId) {
    const admin = chain.actors.admin;
    const receipt = await chain.write(admin, 'Licenses', 'issue', [app.address, 2, { legalName: 'Live Test Apps Ltd', dba: 'LiveTest', website: 'https://live.example', supportEmail: 'help@live.example' }]);
    const issued = chain.events(receipt, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!;
    licenseId = (issued.args.licenseId as bigint).toString();
    const stake = 10_000n * E18;
    await chain.write(admin, 'DimoToken', 'mint', [app.address, stake]);
    await chain.write(app, 'DimoToken', 'approve', [c.contracts.Licenses as Address, stake]);
    await chain.write(app, 'Licenses', 'stake', [BigInt(licenseId), stake]);
    // The app's own address is its API key (developer tokens name an enabled signer).
    await chain.write(app, 'LicenseSigners', 'enableSigner', [BigInt(licenseId), app.address, (await chain.now()) + 30n * 86_400n]);
    await mirrored();
  }
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/query`;
  return {
    node, baseUrl, wsUrl, dataDir, chain, app, licenseId, mirrored,
    client(token) {
      return createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
    },
    async vehicleToken(vehicleId, privileges) {
      const rt = getAppAccess(node.services);
      return (await signVehicleToken(rt, { vehicleId, grantee: app.address, licenseId: licenseId!, privileges: privileges as PrivilegeId[] }, node.services.clock.now())).token;
    },
    async developerToken() {
      const rt = getAppAccess(node.services);
      return (await signDeveloperTokens(rt, { licenseId: licenseId!, signer: app.address.toLowerCase(), clientId: app.address.toLowerCase() }, node.services.clock.now())).accessToken;
    },
    async stop(stopOpts = {}) {
      await node.stop();
      if (!stopOpts.keepData) await temp?.cleanup();
    },
    async removeData() {
      await temp?.cleanup();
    },
  };
}

export interface Subscription<T> {
  updates: T[];
  /** The next update not yet taken. */
  next(timeoutMs?: number): Promise<T>;
  /** Settles when the server ends the stream: the GraphQL errors, or [] when it completed. */
  ended: Promise<Array<{ message: string; extensions?: { code?: string } }>>;
  endedAt(): number | undefined;
  dispose(): void;
}

export function subscribe<T = Record<string, any>>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const updates: T[] = [];
  let taken = 0;
  let waiter: (() => void) | undefined;
  let endedAt: number | undefined;
  let settle!: (errors: Array<{ message: string; extensions?: { code?: string } }>) => void;
  const ended = new Promise<Array<{ message: string; extensions?: { code?: string } }>>((resolve) => (settle = resolve));
  const dispose = client.subscribe<T>({ query, variables }, {
    next(result) {
      if (result.errors) {
        endedAt ??= performance.now();
        settle(result.errors as never);
        return;
      }
      updates.push((result.data as Record<string, T>).signals as T);
      waiter?.();
    },
    error(err) {
      endedAt ??= performance.now();
      settle(Array.isArray(err) ? (err as never) : [{ message: err instanceof Error ? err.message : String(err) }]);
      waiter?.();
    },
    complete() {
      endedAt ??= performance.now();
      settle([]);
      waiter?.();
    },
  });
  return {
    updates,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (taken >= updates.length) {
        if (endedAt !== undefined) throw new Error(`the stream ended: ${JSON.stringify(await ended)}`);
        if (Date.now() > deadline) throw new Error('no update in time');
        await new Promise<void>((resolve) => {
          waiter = resolve;
          setTimeout(resolve, 50);
        });
      }
      return updates[taken++]!;
    },
    ended,
    endedAt: () => endedAt,
    dispose,
  };
}
