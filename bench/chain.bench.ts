// `npm run bench -- chain`: Protocol I throughput.
// - mint_grant_tx_per_s: vehicle mints then grants, each signed by its (gasless, fresh) owner and sent
//   through the node's Relayer (simulate, serialised nonce queue, receipt) to a fresh anvil with the
//   identity contracts, 16 in flight (`npm run bench -- chain [owners] [inFlight]`). Signing happens before the clock starts (it is the owner's work).
// - mirror_events_per_s: a fresh identity mirror (SQLite) indexing those blocks from the deployment.
// - access_checks_per_s: can() on one core over a mirror of 10,000 vehicles, half allowed, half denied;
//   against the ceiling of a plain Map.get loop over the same keys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Reporter } from './report.ts';
import { startAnvil } from '../src/chain/anvil.ts';
import { createChainClients } from '../src/chain/clients.ts';
import { compileContracts } from '../src/chain/compile.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../src/chain/constants.ts';
import { deployContracts } from '../src/chain/deploy.ts';
import { deployPlan } from '../src/chain/deploy-plan.ts';
import { TEST_CACHE_DIR } from '../src/chain/testing.ts';
import { ManualClock, systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createAccessCheck } from '../src/consent/access-check.ts';
import { privilegesToMask } from '../src/consent/privileges.ts';
import { IdentityIndex } from '../src/identity/identity-index.ts';
import { IdentityMirror } from '../src/identity/identity-mirror.ts';
import { ReceiptWatcher } from '../src/identity/receipt-watcher.ts';
import { Relayer } from '../src/identity/relayer.ts';
import { signAction } from '../src/identity/sign-actions.ts';
import { openStore } from '../src/store/open-store.ts';

const IDENTITY_STEPS = ['DeviceAddressRegistry', 'Connections', 'Manufacturers', 'VehicleId', 'SyntheticDevice', 'AftermarketDevice', 'Permissions'];

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const owners = Number(args[0] ?? 300);
  const inFlight = Number(args[1] ?? 16);
  await chainThroughput(reporter, owners, inFlight);
  accessChecks(reporter);
}

async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

async function chainThroughput(reporter: Reporter, n: number, inFlight: number): Promise<void> {
  const logger = silentLogger();
  reporter.progress('compiling (cached) and starting anvil');
  const [artifacts, anvil] = await Promise.all([compileContracts({ logger, cacheDir: TEST_CACHE_DIR }), startAnvil({ logger })]);
  const dir = await mkdtemp(join(tmpdir(), 'opendimo-bench-chain-'));
  try {
    const deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan: deployPlan.filter((s) => IDENTITY_STEPS.includes(s.name)) });
    const clients = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, privateKey: ANVIL_DEV_PRIVATE_KEY, pollingIntervalMs: 5 });
    const abis = Object.fromEntries(Object.entries(artifacts).map(([k, a]) => [k, a.abi]));
    const contracts = deployment.contracts;
    const relayer = new Relayer({ publicClient: clients.publicClient, walletClient: clients.walletClient, contracts, abis, logger });
    const chainId = anvil.chainId;
    const now = (await clients.publicClient.getBlock()).timestamp;
    const deadline = now + 3600n;
    const accounts = Array.from({ length: n }, () => privateKeyToAccount(generatePrivateKey()));
    const vinHash = keccak256(toHex('bench'));
    const attributes = { make: 'Tesla', model: 'Model 3', year: 2022, vinHash };

    reporter.progress(`signing ${n} mints`);
    const mints = await Promise.all(
      accounts.map(async (owner) => ({
        owner,
        signature: await signAction(owner, 'MintVehicle', { chainId, verifyingContract: contracts.VehicleId! }, { owner: owner.address, ...attributes, nonce: 0n, deadline }),
      })),
    );
    reporter.progress(`relaying ${n} mints`);
    const started = performance.now();
    const minted = await pool(mints, inFlight, async (m) => {
      const r = await relayer.relay({ contract: 'VehicleId', functionName: 'mintBySig', args: [m.owner.address, attributes, 0n, deadline, m.signature], action: 'mint the vehicle' });
      return r.events.find((e) => e.eventName === 'VehicleMinted')!.args.vehicleId as bigint;
    });
    const mintMs = performance.now() - started;

    const grantee = privateKeyToAccount(generatePrivateKey()).address;
    const permissions = privilegesToMask([1, 6]);
    const expiration = now + 86_400n;
    const source = keccak256(toHex('consent')) as Hex;
    const grants = await Promise.all(
      mints.map(async (m, i) => {
        const g = { asset: contracts.VehicleId!, tokenId: minted[i]!, grantee, permissions, expiration, source };
        return { g, signature: await signAction(m.owner, 'Grant', { chainId, verifyingContract: contracts.Permissions! }, { ...g, nonce: 0n, deadline }) };
      }),
    );
    reporter.progress(`relaying ${n} grants`);
    const grantStart = performance.now();
    await pool(grants, inFlight, (x) => relayer.relay({ contract: 'Permissions', functionName: 'grantBySig', args: [x.g, 0n, deadline, x.signature], action: 'grant' }));
    const grantMs = performance.now() - grantStart;
    const total = (2 * n) / ((mintMs + grantMs) / 1000);
    reporter.figure({ metric: 'mint_grant_tx_per_s', value: Math.round(total), unit: 'tx/s', note: `${n} mints + ${n} grants via the relayer on anvil (automine), ${inFlight} in flight` });
    reporter.figure({ metric: 'relayed_mint_per_s', value: Math.round(n / (mintMs / 1000)), unit: 'tx/s' });
    reporter.figure({ metric: 'relayed_grant_per_s', value: Math.round(n / (grantMs / 1000)), unit: 'tx/s' });

    // Limit: the same number of plain ETH transfers from one key, same concurrency (anvil's own rate).
    const to = privateKeyToAccount(generatePrivateKey()).address;
    let nonce = await clients.publicClient.getTransactionCount({ address: clients.account.address, blockTag: 'pending' });
    const receipts = new ReceiptWatcher(clients.publicClient, 5);
    let queue: Promise<unknown> = Promise.resolve();
    const fees = await clients.publicClient.estimateFeesPerGas();
    const rawStart = performance.now();
    await pool(Array.from({ length: n }), inFlight, async () => {
      // Same discipline as the relayer: nonce, local signature and raw send in one queue.
      const send = queue.then(async () => {
        const raw = await clients.account.signTransaction({ type: 'eip1559', chainId, to, value: 1n, nonce: nonce++, gas: 21_000n, maxFeePerGas: fees.maxFeePerGas!, maxPriorityFeePerGas: fees.maxPriorityFeePerGas! });
        return clients.publicClient.sendRawTransaction({ serializedTransaction: raw });
      });
      queue = send.catch(() => undefined);
      await receipts.wait(await send, 30_000);
    });
    reporter.figure({ metric: 'eth_transfer_tx_per_s', value: Math.round(n / ((performance.now() - rawStart) / 1000)), unit: 'tx/s', note: 'plain transfers, same queue, receipts and concurrency' });
    // Physical limit: pre-signed transfers sent back to back, nothing else asked of anvil.
    const signed: Hex[] = [];
    for (let i = 0; i < n; i++) {
      signed.push(await clients.account.signTransaction({ type: 'eip1559', chainId, to, value: 1n, nonce: nonce++, gas: 21_000n, maxFeePerGas: fees.maxFeePerGas!, maxPriorityFeePerGas: fees.maxPriorityFeePerGas! }));
    }
    const sendStart = performance.now();
    for (const tx of signed) await clients.publicClient.sendRawTransaction({ serializedTransaction: tx });
    reporter.figure({ metric: 'anvil_raw_send_per_s', value: Math.round(n / ((performance.now() - sendStart) / 1000)), unit: 'tx/s', note: 'limit: pre-signed transfers sent one by one (automine)' });

    reporter.progress('indexing the chain into a fresh mirror (SQLite)');
    const store = await openStore({ dataDir: dir, logger });
    try {
      const mirror = await IdentityMirror.open({
        store,
        publicClient: clients.publicClient,
        contracts,
        abis,
        deploymentBlock: BigInt(deployment.blockNumber),
        confirmations: 0,
        logger,
        clock: systemClock,
      });
      const indexStart = performance.now();
      while (await mirror.indexer.step()) {
        // until caught up
      }
      const indexMs = performance.now() - indexStart;
      const allowed = mirror.index.vehicles.size === n && mirror.access.can(grantee, minted[0]!, [1, 6]);
      if (!allowed) throw new Error('the mirror does not match what was relayed');
      reporter.figure({ metric: 'mirror_events_per_s', value: Math.round((2 * n) / (indexMs / 1000)), unit: 'events/s', note: 'one SQLite transaction per block (anvil: one tx per block)' });
    } finally {
      await store.close();
    }
  } finally {
    await anvil.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function accessChecks(reporter: Reporter): void {
  const VEHICLES = 10_000;
  const asset = '0x00000000000000000000000000000000000000a5';
  const nowS = 1_800_000_000;
  const index = new IdentityIndex(asset);
  const clock = new ManualClock(nowS * 1000);
  const hex = (i: number, prefix: string) => `0x${prefix}${i.toString(16).padStart(40 - prefix.length, '0')}`;
  const apps = Array.from({ length: 50 }, (_, i) => hex(i + 1, 'aa'));
  const put = (table: string, row: Record<string, string | number | null>) => index.apply({ table: table as never, key: {}, before: undefined, after: row });
  put('identity_supported_assets', { asset });
  for (let v = 1; v <= VEHICLES; v++) {
    const owner = hex(v % 3000, 'b0');
    put('identity_vehicles', { token_id: String(v), owner, version: v % 3, make: 'M', model: 'X', year: 2020, vin_hash: '0x', minted_at: 0, minted_block: 1 });
    for (let g = 0; g < 3; g++) {
      const app = apps[(v * 7 + g * 13) % apps.length]!;
      const expired = (v + g) % 10 === 0;
      const stale = (v + g) % 17 === 0;
      put('identity_grants', {
        asset,
        token_id: String(v),
        version: stale ? (v % 3) + 1 : v % 3,
        grantee: app,
        grantor: owner,
        permissions: `0x${privilegesToMask(g === 0 ? [1, 6] : [1, 3, 4]).toString(16)}`,
        expiration: String(expired ? nowS - 1 : nowS + 3600),
        source: '0x00',
        granted_at: 0,
      });
    }
  }
  for (let o = 0; o < 300; o++) {
    put('identity_account_grants', { grantor: hex(o, 'b0'), grantee: apps[o % apps.length]!, permissions: `0x${privilegesToMask([8]).toString(16)}`, expiration: String(nowS + 3600), source: '0x00', granted_at: 0 });
  }
  const access = createAccessCheck(index, clock);
  // Queries: a grantee the vehicle granted (mostly allowed) or a random app (mostly denied), in the
  // mixed case apps use (checksummed-or-lowercase addresses as they arrive).
  const Q = 65_536;
  const queries: { grantee: string; vehicle: bigint; privileges: number[] }[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < Q; i++) {
    const v = 1 + Math.floor(rand() * VEHICLES);
    const granted = i % 2 === 0;
    const app = granted ? apps[(v * 7) % apps.length]! : apps[Math.floor(rand() * apps.length)]!;
    queries.push({ grantee: app, vehicle: BigInt(v), privileges: granted ? [1] : [3] });
  }
  let allowedCount = 0;
  for (const q of queries) if (access.can(q.grantee, q.vehicle, q.privileges)) allowedCount++;

  const measure = (fn: (q: (typeof queries)[number]) => boolean): number => {
    for (let i = 0; i < 200_000; i++) fn(queries[i & (Q - 1)]!); // warm-up (JIT)
    let ops = 0;
    let sink = 0;
    const start = performance.now();
    const until = start + 1000;
    while (performance.now() < until) {
      for (let i = 0; i < 16_384; i++) if (fn(queries[(ops + i) & (Q - 1)]!)) sink++;
      ops += 16_384;
    }
    const secs = (performance.now() - start) / 1000;
    if (sink < 0) console.log(sink);
    return ops / secs;
  };
  const checks = measure((q) => access.can(q.grantee, q.vehicle, q.privileges));
  reporter.figure({ metric: 'access_checks_per_s', value: Math.round(checks), unit: 'checks/s', note: `one core, ${VEHICLES} vehicles, ${Math.round((100 * allowedCount) / Q)}% allowed` });
  const vehicles = index.vehicles;
  const ceiling = measure((q) => vehicles.get(q.vehicle) !== undefined);
  reporter.figure({ metric: 'map_get_per_s', value: Math.round(ceiling), unit: 'lookups/s', note: 'limit: one Map.get per query, same keys' });
}
