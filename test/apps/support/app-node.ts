// A real node for app-access tests: embedded anvil with the full deploy plan, SQLite, HTTP on a free
// port, running identity, licensing, ingest (the vault), the activity log and app access, on a manual
// clock that starts at the wall clock. Helpers issue and stake an app license, enable API keys and
// redirect URIs on chain, mint and share vehicles, sign in like the data SDK, and store telemetry through
// the vault's write path (append log + compaction) without devices.
import { createHash } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import type { Address } from 'viem';
import { activityCapability } from '../../../src/activity/activity-capability.ts';
import { getActivityLog, type ActivityEntry } from '../../../src/activity/activity-log.ts';
import type { AppAccessOptions } from '../../../src/api/apps/app-access-runtime.ts';
import { createAppAccessCapability } from '../../../src/api/apps/app-access-capability.ts';
import { compileContractsDetailed } from '../../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ManualClock, type Clock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { identityCapability } from '../../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../../src/identity/identity-runtime.ts';
import { getIngestService, ingestCapability } from '../../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../../src/licensing/licensing-services.ts';
import { startNode, type NodeHandle } from '../../../src/node/start-node.ts';
import type { LogEvent } from '../../../src/vault/log-record.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export const E18 = 10n ** 18n;
export const REDIRECT = 'https://app.example/callback';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: any;
}

export interface AppLicense {
  licenseId: bigint;
  /** The holder: the client id (grantee owners consent to). */
  holder: LocalAccount;
  signer: LocalAccount;
}

/** A sample to store: catalogue signal name, epoch ms, value. */
export type Sample = [string, number, number | string];

export interface StoredEvent {
  time: number;
  samples?: Sample[];
  /** [ts, lat, lng] */
  points?: Array<[number, number, number]>;
  /** Location-class scalars (altitude…). */
  locationSamples?: Sample[];
  type?: string;
  source?: string;
  extra?: unknown;
}

export interface AppNode {
  node: NodeHandle;
  baseUrl: string;
  /** A ManualClock unless the caller passed another clock. */
  clock: ManualClock;
  chain: ChainFixture;
  call(method: string, path: string, opts?: { body?: unknown; token?: string; form?: Record<string, string>; query?: Record<string, string> }): Promise<HttpAnswer>;
  graphql(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<HttpAnswer>;
  /** Waits until both mirrors hold every block mined so far. */
  mirrored(): Promise<void>;
  /** Issues an app license to `holder`, stakes `stake` DIMO, enables a fresh API key and registers REDIRECT. */
  appLicense(holder: LocalAccount, opts?: { stake?: bigint; signerTtlSec?: bigint }): Promise<AppLicense>;
  /** generate_challenge → sign → submit_challenge; the developer JWT. */
  developerToken(l: AppLicense, signer?: LocalAccount): Promise<string>;
  vehicleToken(devToken: string, vehicleId: bigint, privileges: number[]): Promise<string>;
  mintVehicle(owner: LocalAccount): Promise<bigint>;
  /** Stores events for a vehicle through the vault's write path and compacts them. */
  store(vehicleId: bigint, events: StoredEvent[]): Promise<void>;
  activity(owner: Address): Promise<ActivityEntry[]>;
  stop(): Promise<void>;
}

let eventSeq = 0;

export async function startAppNode(opts: { appAccess?: Partial<AppAccessOptions>; clock?: ManualClock | Clock } = {}): Promise<AppNode> {
  const temp = await makeTempDir('app-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({
    mode: 'dev', env: {},
    overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1, 'vault.compactIntervalMs': 0 },
  });
  const clock = opts.clock ?? new ManualClock(Date.now());
  let node: NodeHandle;
  try {
    node = await startNode(config, {
      logger, clock,
      capabilities: [identityCapability, licensingCapability, ingestCapability, activityCapability, createAppAccessCapability(opts.appAccess)],
    });
  } catch (err) {
    await temp.cleanup();
    throw err;
  }
  const c = node.services.chain;
  const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  const baseUrl = node.urls.http;
  const services = node.services;

  const call: AppNode['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (o.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(o.form).toString();
    } else if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const qs = o.query ? `?${new URLSearchParams(o.query)}` : '';
    const res = await fetch(`${baseUrl}${path}${qs}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  };

  const mirrored = async () => {
    const block = await chain.blockNumber();
    await getIdentityRuntime(services).mirror.indexer.waitFor(block);
    await getLicensingMirror(services).indexer.waitFor(block);
  };

  const self: AppNode = {
    node, baseUrl, clock: clock as ManualClock, chain, call, mirrored,
    graphql: (token, query, variables) => call('POST', '/query', { body: { query, ...(variables ? { variables } : {}) }, ...(token ? { token } : {}) }),
    async appLicense(holder, o = {}) {
      const { admin } = chain.actors;
      const meta = { legalName: 'Fleet Insights GmbH', dba: 'Fleet Insights', website: 'https://app.example', supportEmail: 'help@app.example' };
      const receipt = await chain.write(admin, 'Licenses', 'issue', [holder.address, 2, meta]);
      const licenseId = chain.events(receipt, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!.args.licenseId as bigint;
      const stake = o.stake ?? 10_000n * E18;
      if (stake > 0n) {
        await chain.write(admin, 'DimoToken', 'mint', [holder.address, stake]);
        await chain.write(holder, 'DimoToken', 'approve', [chain.contracts.Licenses, stake]);
        await chain.write(holder, 'Licenses', 'stake', [licenseId, stake]);
      }
      const signer = privateKeyToAccount(generatePrivateKey());
      await chain.write(holder, 'LicenseSigners', 'enableSigner', [licenseId, signer.address, (await chain.now()) + (o.signerTtlSec ?? 86_400n)]);
      await chain.write(holder, 'LicenseSigners', 'setRedirectUri', [licenseId, REDIRECT, true]);
      await mirrored();
      return { licenseId, holder, signer };
    },
    async developerToken(l, signer = l.signer) {
      const gen = await call('POST', '/auth/web3/generate_challenge', {
        query: { client_id: l.holder.address, domain: REDIRECT, scope: 'openid email', response_type: 'code', address: l.holder.address },
      });
      if (gen.status !== 200) throw new Error(`generate_challenge: ${gen.status} ${JSON.stringify(gen.json)}`);
      const signature = await signer.signMessage({ message: gen.json.challenge });
      const sub = await call('POST', '/auth/web3/submit_challenge', {
        form: { client_id: l.holder.address, domain: REDIRECT, grant_type: 'authorization_code', state: gen.json.state, signature },
      });
      if (sub.status !== 200) throw Object.assign(new Error(`submit_challenge: ${sub.status} ${JSON.stringify(sub.json)}`), { answer: sub });
      return sub.json.access_token as string;
    },
    async vehicleToken(devToken, vehicleId, privileges) {
      const res = await call('POST', '/v1/tokens/exchange', { token: devToken, body: { nftContractAddress: chain.contracts.VehicleId, tokenId: Number(vehicleId), privileges } });
      if (res.status !== 200) throw Object.assign(new Error(`exchange: ${res.status} ${JSON.stringify(res.json)}`), { answer: res });
      return res.json.token as string;
    },
    async mintVehicle(owner) {
      const id = await chain.mintVehicle(owner);
      await mirrored();
      return id;
    },
    async store(vehicleId, events) {
      const ingest = getIngestService(services);
      const ids = new Map(ingest.catalog.signals.map((s) => [s.name, s.id]));
      const v = ingest.identity.vehicle(vehicleId)!;
      const flat = (samples: Sample[] | undefined) => (samples ?? []).flatMap(([name, ts, value]) => {
        const id = ids.get(name);
        if (id === undefined) throw new Error(`unknown signal ${name}`);
        return [id, ts, value];
      });
      const writes = events.map((e) => {
        const id = `ev-${++eventSeq}`;
        const event: LogEvent = {
          vehicleId: vehicleId.toString(), version: v.version, owner: v.owner, id, source: e.source ?? '0x1234567890123456789012345678901234567890',
          type: e.type ?? 'dimo.status', time: e.time, producer: 'did:erc721:31337:0x0000000000000000000000000000000000000001:1', signer: '0x' + '11'.repeat(20),
          dataversion: 'default/v1.0', samples: flat(e.samples), locationSamples: flat(e.locationSamples),
          points: (e.points ?? []).map(([ts, lat, lng]) => ({ ts, lat, lng })), extra: e.extra ?? null, rejected: 0,
        };
        return { event, dedupDay: Math.floor(e.time / 86_400_000), dedupHash: createHash('sha256').update(id).digest().subarray(0, 16) };
      });
      for (let i = 0; i < writes.length; i += 2000) await ingest.vault.log.append(writes.slice(i, i + 2000));
      await ingest.vault.flush();
    },
    async activity(owner) {
      const log = getActivityLog(services);
      return (await log.list(owner, { order: 'asc', limit: 500 })).entries;
    },
    async stop() {
      await node.stop();
      await temp.cleanup();
    },
  };
  return self;
}
