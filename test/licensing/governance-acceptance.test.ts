// Issue 4's acceptance, end to end: a dev node (embedded anvil, identity and licensing mirrors) serves an
// app with the owner's consent; token holders then raise the minimum app stake through the full
// Governor + Timelock lifecycle, driven with the real CLI (propose → vote → queue → 4 days → execute);
// the app at the old stake shows trust ratio 0.5 and the node refuses it data with
// ODM_ERR_LICENSE_UNDERSTAKED.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, it } from 'node:test';
import { createTestClient, createWalletClient, http, keccak256, parseEventLogs, toHex, type Abi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { compileContractsDetailed, defaultCacheDir } from '../../src/chain/compile.ts';
import { ANVIL_DEV_KEYS } from '../../src/chain/constants.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { OdmError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { privilegesToMask } from '../../src/consent/privileges.ts';
import { identityCapability } from '../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../src/identity/identity-runtime.ts';
import { licensingCapability } from '../../src/licensing/licensing-capability.ts';
import { authorizeDataAccess, getLicensingMirror } from '../../src/licensing/licensing-services.ts';
import { startNode, type NodeHandle } from '../../src/node/start-node.ts';
import { grab, json, ok, protocolCli } from './support/protocol-cli.ts';

const E18 = 10n ** 18n;
const [ADMIN_KEY, APP_KEY, VOTER_KEY, OWNER_KEY] = ANVIL_DEV_KEYS as [Hex, Hex, Hex, Hex];
const app = privateKeyToAccount(APP_KEY);
const owner = privateKeyToAccount(OWNER_KEY);

let dir: string;
let node: NodeHandle;
let cli: ReturnType<typeof protocolCli>;
let abis: Record<string, Abi>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'odm-gov-accept-'));
  // The node compiles into <data dir>/cache; seed it from the suite's shared cache so solc does not run.
  const { cacheFile, artifacts } = await compileContractsDetailed({ logger: silentLogger(), cacheDir: defaultCacheDir() });
  mkdirSync(join(dir, 'cache'), { recursive: true });
  copyFileSync(cacheFile, join(dir, 'cache', basename(cacheFile)));
  abis = Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.abi]));
  const config = loadConfig({ mode: 'dev', env: { OPENDIMO_DATA_DIR: dir, OPENDIMO_HTTP_PORT: '0', OPENDIMO_LOG_LEVEL: 'silent' } });
  node = await startNode(config, { logger: silentLogger(), capabilities: [identityCapability, licensingCapability] });
  // The documented defaults: the node's chain URL, and the deployment and ABI cache in its data dir.
  cli = protocolCli(['--rpc', node.urls.rpc, '--data-dir', dir]);
});
after(async () => {
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends as a dev account straight to a contract (steps the CLI has no command for). */
async function send(key: Hex, contract: string, functionName: string, args: readonly unknown[]): Promise<{ eventName: string; args: Record<string, unknown> }[]> {
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, chain: node.services.chain.clients.chain, transport: http(node.urls.rpc) });
  const pub = node.services.chain.clients.publicClient;
  const address = node.services.chain.contracts[contract] as Address;
  const hash = await wallet.writeContract({ address, abi: abis[contract]!, functionName, args, gas: 1_000_000n } as never);
  const receipt = await pub.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  return parseEventLogs({ abi: abis[contract]!, logs: receipt.logs.filter((l) => l.address.toLowerCase() === address.toLowerCase()) }) as unknown as { eventName: string; args: Record<string, unknown> }[];
}

async function advance(seconds: number): Promise<void> {
  const test = createTestClient({ chain: node.services.chain.clients.chain, mode: 'anvil', transport: http(node.urls.rpc) });
  await test.increaseTime({ seconds });
  await test.mine({ blocks: 1 });
}

/** Waits until both mirrors of the node hold the chain's latest block. */
async function nodeCaughtUp(): Promise<void> {
  const head = await node.services.chain.clients.publicClient.getBlockNumber();
  await Promise.all([getLicensingMirror(node.services).indexer.waitFor(head), getIdentityRuntime(node.services).mirror.indexer.waitFor(head)]);
}

function refusalOf(fn: () => unknown): OdmError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OdmError) return err;
    throw err;
  }
  assert.fail('the node served the data');
}

it('governance raises the minimum app stake and the node stops serving the app at the old stake', { timeout: 120_000 }, async () => {
  // An app, licensed and staked at today's minimum (licensing team and app holder, through the CLI).
  const issued = await ok(cli(['license', 'issue', '--to', app.address, '--kind', 'app', '--legal-name', 'Fleet Insights Ltd'], ADMIN_KEY));
  const appId = grab(issued, /issued app license (\d+)/);
  await send(ADMIN_KEY, 'DimoToken', 'mint', [app.address, 10_000n * E18]);
  await ok(cli(['license', 'stake', appId, '10000'], APP_KEY));

  // An owner's vehicle, with consent for the app to read non-location telemetry (privilege 1).
  const minted = await send(OWNER_KEY, 'VehicleId', 'mint', [{ make: 'Tesla', model: 'Model Y', year: 2024, vinHash: keccak256(toHex('salt:vin')) }]);
  const vehicleId = minted.find((e) => e.eventName === 'VehicleMinted')!.args.vehicleId as bigint;
  const now = (await node.services.chain.clients.publicClient.getBlock()).timestamp;
  await send(OWNER_KEY, 'Permissions', 'grant', [node.services.chain.contracts.VehicleId, vehicleId, app.address, privilegesToMask([1]), now + 365n * 86_400n, keccak256(toHex('consent'))]);

  // The node serves it, and only what was granted.
  await nodeCaughtUp();
  const request = { licenseId: BigInt(appId), grantee: app.address, vehicleId, privileges: [1] };
  const served = authorizeDataAccess(node.services, request);
  assert.equal(served.trustRatio, E18);
  assert.equal(refusalOf(() => authorizeDataAccess(node.services, { ...request, privileges: [1, 3] })).code, 'ODM_ERR_CONSENT_MISSING');

  // Token holders: a voter with delegated DIMO proposes to raise the app minimum to 20,000 DIMO.
  await send(ADMIN_KEY, 'DimoToken', 'mint', [privateKeyToAccount(VOTER_KEY).address, 1_000_000n * E18]);
  await ok(cli(['gov', 'delegate'], VOTER_KEY));
  await advance(1);
  const proposed = await ok(cli(['gov', 'propose', '--action', 'Licenses.setMinimumStake(2, 20000e18)', '--description', 'Raise the minimum app stake to 20,000 DIMO'], VOTER_KEY));
  const proposalId = grab(proposed, /proposal (\d+)/);
  assert.match(proposed, /Licenses\.setMinimumStake\(2, 20000000000000000000000\)/);

  await advance(61); // voting delay
  const voted = await ok(cli(['gov', 'vote', proposalId, 'for', '--reason', 'apps must have skin in the game'], VOTER_KEY));
  assert.match(voted, /voted for on proposal \d+ with 1,000,000 DIMO of votes/);
  const early = await cli(['gov', 'queue', proposalId], VOTER_KEY);
  assert.match(early.out, /opendimo: ODM_ERR_GOV_PROPOSAL_STATE: DimoGovernor.queue refused: proposal \d+ is active/);

  await advance(86_400); // voting period
  assert.equal(json(await ok(cli(['gov', 'show', proposalId, '--json']))).state, 'succeeded');
  assert.match(await ok(cli(['gov', 'queue', proposalId], VOTER_KEY)), /queued proposal \d+; executable from /);
  const tooSoon = await cli(['gov', 'execute', proposalId], VOTER_KEY);
  assert.match(tooSoon.out, /opendimo: ODM_ERR_GOV_TIMELOCK_NOT_READY/);
  // Still served while the proposal waits in the timelock.
  await nodeCaughtUp();
  assert.equal(authorizeDataAccess(node.services, request).license.licenseId, BigInt(appId));

  await advance(4 * 86_400); // the timelock's 4 days
  const executed = await ok(cli(['gov', 'execute', proposalId], VOTER_KEY));
  assert.match(executed, /Licenses\.MinimumStakeSet\(kind=2, amount=20000000000000000000000\)/);
  assert.equal(json(await ok(cli(['gov', 'show', proposalId, '--json']))).state, 'executed');

  // The app at the old stake: trust ratio 0.5 on chain…
  const shown = json(await ok(cli(['license', 'show', appId, '--json'])));
  assert.equal(shown.trustRatio, '0.5');
  assert.equal(shown.active, false);
  // …and the node refuses it data.
  await nodeCaughtUp();
  const refused = refusalOf(() => authorizeDataAccess(node.services, request));
  assert.equal(refused.code, 'ODM_ERR_LICENSE_UNDERSTAKED');
  assert.equal(refused.status, 403);
  assert.equal(refused.details.trustRatio, '0.5');
  assert.equal(refused.details.required, (20_000n * E18).toString());

  // Topping up to the new minimum restores access.
  await send(ADMIN_KEY, 'DimoToken', 'mint', [app.address, 10_000n * E18]);
  assert.match(await ok(cli(['license', 'stake', appId, '10000'], APP_KEY)), /trust ratio 1\n/);
  await nodeCaughtUp();
  assert.equal(authorizeDataAccess(node.services, request).trustRatio, E18);
});
