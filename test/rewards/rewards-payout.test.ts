// Rewards end to end against the real contracts on anvil: `opendimo rewards compute` gathers a week from
// a node's stored data (vault chunks, identity mirror tables, privacy settings, union memberships),
// mints the week, posts the Merkle root to RewardsPayout, and a claim with the proof that
// `opendimo rewards show` prints pays the owner; a second claim fails; recomputing (from the frozen
// inputs, or gathering again) gives the same root; two vehicles with one VIN earn once. The engine's
// refusals (week still open, root final after a claim) are checked directly.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { keccak256, toHex, type Address } from 'viem';
import { ANVIL_DEV_ADDRESS, ANVIL_DEV_PRIVATE_KEY } from '../../src/chain/constants.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../src/chain/testing.ts';
import { ManualClock, systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { loadDefaultCatalog } from '../../src/ingest/normalize/signal-catalog.ts';
import { RewardsChain } from '../../src/rewards/rewards-chain.ts';
import { RewardsEngine } from '../../src/rewards/rewards-engine.ts';
import { RewardsStore } from '../../src/rewards/rewards-store.ts';
import { RewardsView } from '../../src/rewards/rewards-view.ts';
import { INITIAL_STREAK } from '../../src/rewards/streak.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import { UnionMemberships } from '../../src/unions/union-memberships.ts';
import { loadOrCreateKek } from '../../src/vault/kek-file.ts';
import type { LogEvent } from '../../src/vault/log-record.ts';
import { openVault } from '../../src/vault/vault.ts';
import { runCli } from '../support/cli-process.ts';
import { E18, expectRevert, roleId, startP2Chain, WEEK, type P2Chain } from '../contracts/protocol2-fixture.ts';

let c: P2Chain;
let temp: { dir: string; cleanup: () => Promise<void> };
let issuance: Address;
let payout: Address;
let startSec: bigint;
const SYNTHETIC = '0x' + '51'.repeat(20);
const AFTERMARKET = '0x' + 'af'.repeat(20);

before(async () => {
  c = await startP2Chain();
  temp = await makeTempDir('rewards');
  // An issuance that started three weeks and an hour ago, so weeks 0–2 are over by the wall clock the
  // CLI reads; its own payout contract receives the rewards budgets.
  startSec = (await c.now()) - 3n * WEEK - 3600n;
  issuance = await c.deploy(c.actors.admin, 'Issuance', [c.actors.admin.address, c.addr.DimoToken, startSec, [7_000, 1_500, 1_500], [c.actors.admin.address, c.actors.admin.address, c.actors.admin.address]]);
  payout = await c.deploy(c.actors.admin, 'RewardsPayout', [c.actors.admin.address, issuance]);
  await c.write(c.actors.admin, issuance, 'setRecipient', [0, payout], 'Issuance');
  await c.write(c.actors.admin, 'DimoToken', 'grantRole', [roleId('MINTER_ROLE'), issuance]);
});
after(async () => {
  await c?.stop();
  await temp?.cleanup();
});

const calls = () => ({
  read: <T>(contract: string, fn: string, args: readonly unknown[] = []) => c.read<T>(contract === 'Issuance' ? issuance : contract === 'RewardsPayout' ? payout : (contract as never), fn, args, contract),
  send: async (contract: string, fn: string, args: readonly unknown[] = []) => ({ hash: (await c.write(c.actors.admin, contract === 'Issuance' ? issuance : payout, fn, args, contract)).transactionHash }),
});

it('refuses an open week, and a changed root once a week has claims', async () => {
  const { dir, cleanup } = await makeTempDir('rewards-engine');
  const store = await openStore({ dataDir: dir, logger: silentLogger() });
  try {
    const clock = new ManualClock(Number(startSec) * 1000 + 3 * 7 * 86_400_000 + 1);
    const rewards = new RewardsStore(store);
    let owners = [c.actors.alice.address.toLowerCase(), c.actors.bob.address.toLowerCase()];
    const engine = new RewardsEngine({
      rewards, clock, logger: silentLogger(), chain: new RewardsChain(calls(), () => c.now()),
      gather: async (week, start) => ({
        week, weekStart: start + week * 604_800_000, weekEnd: start + (week + 1) * 604_800_000,
        vehicles: owners.map((owner, i) => ({ vehicleId: String(900 + i), owner, vinHash: null, connected: true, kinds: ['software'], locationOptOut: false, unions: [], prior: INITIAL_STREAK })),
      }),
    });
    await assert.rejects(engine.compute(3), { code: 'ODM_ERR_REWARDS_WEEK_OPEN' });
    const first = await engine.compute(1, { post: true });
    assert.equal(first.total, 773_500n * E18);
    assert.ok(first.postedTx);
    const [entry] = await rewards.entries(1);
    const claim = await new RewardsView(rewards).claimArgs((await rewards.week(1))!, entry!);
    await c.write(c.actors.stranger, payout, 'claim', [1n, 900n, entry!.beneficiary, entry!.amount, claim!.proof], 'RewardsPayout');
    // The owners changed: gathering again gives another root, which a week with claims no longer takes,
    // and the stored week stays the one that was paid from.
    owners = [c.actors.carol.address.toLowerCase(), c.actors.bob.address.toLowerCase()];
    await assert.rejects(engine.compute(1, { post: true, regather: true }), { code: 'ODM_ERR_REWARDS_ROOT_FINAL' });
    await assert.rejects(engine.compute(1, { post: false, regather: true }), { code: 'ODM_ERR_REWARDS_ROOT_FINAL' });
    const again = await engine.compute(1, { post: true });
    assert.equal(again.sameRoot, true);
    assert.equal(again.root, first.root);
    assert.equal(again.postedTx, undefined);
  } finally {
    await store.close();
    await cleanup();
  }
});

it('computes a week from stored data with the CLI, posts it, pays a claim once, and reproduces the root', async () => {
  const dataDir = temp.dir;
  const logger = silentLogger();
  const { alice, bob, carol } = c.actors;
  const owners = [alice, bob, carol].map((a) => a.address.toLowerCase());
  const startMs = Number(startSec) * 1000;
  const at = (week: number, hour: number) => startMs + week * 604_800_000 + hour * 3_600_000 + 60_000;

  // --- a node's data dir: database, identity mirror tables, vault, privacy, unions, deployment ---
  const store: Store = await openStore({ dataDir, logger });
  const vin = (s: string) => keccak256(toHex(`vin:${s}`));
  const vehicles = [
    { id: '1', owner: owners[0]!, vin: vin('A') },
    { id: '2', owner: owners[1]!, vin: vin('B') },
    { id: '3', owner: owners[2]!, vin: vin('C') },
    { id: '4', owner: owners[0]!, vin: vin('D') },
    { id: '5', owner: owners[1]!, vin: vin('A') }, // the same car as vehicle 1, minted again
    { id: '6', owner: owners[2]!, vin: vin('F') },
  ];
  const now = Date.now();
  await store.db.insertInto('identity_vehicles').values(vehicles.map((v) => ({ token_id: v.id, owner: v.owner, version: 1, make: 'Tesla', model: 'Model 3', year: 2022, vin_hash: v.vin, minted_at: now, minted_block: 1 }))).execute();
  const synthetic = (id: string, vehicle: string) => ({ token_id: id, vehicle_id: vehicle, connection_id: '1', address: `0x${id.padStart(40, 'a')}`, minted_at: now });
  const aftermarket = (id: string, vehicle: string) => ({ token_id: id, manufacturer_id: '1', address: `0x${id.padStart(40, 'b')}`, owner: owners[0]!, claimed_at: now, vehicle_id: vehicle, paired_at: now, minted_at: now });
  await store.db.insertInto('identity_synthetic_devices').values([synthetic('11', '1'), synthetic('13', '3'), synthetic('15', '5')]).execute();
  await store.db.insertInto('identity_aftermarket_devices').values([aftermarket('22', '2'), aftermarket('23', '3')]).execute();
  await store.db.insertInto('privacy_settings').values({ vehicle_id: '2', owner_version: 1, location_opt_out: 1, zones: null, updated_at: now }).execute();
  await new UnionMemberships(store, systemClock).set('1', 1, owners[0]!, ['battery-health', 'charging']);

  const kek = loadOrCreateKek(join(dataDir, 'keys', 'kek.key'));
  const names = loadDefaultCatalog().signals.map((s) => s.name);
  const vault = await openVault({ store, kek, keyringFile: join(dataDir, 'keys', 'vault-keyring.json'), clock: systemClock, logger, names, dedupRetentionDays: 30, compactIntervalMs: 0 });
  const speed = names.indexOf('speed');
  const event = (vehicleId: string, time: number, producer: string): LogEvent => ({
    vehicleId, version: 1, owner: vehicles.find((v) => v.id === vehicleId)!.owner, id: randomBytes(8).toString('hex'), source: '0xsource', type: 'dimo.status', time,
    producer, signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0', samples: [speed, time, 42], locationSamples: [], points: [], extra: null, rejected: 0,
  });
  const did = (contract: string, id: number) => `did:erc721:31337:${contract}:${id}`;
  const events: LogEvent[] = [
    event('1', at(0, 5), did(SYNTHETIC, 11)), event('1', at(1, 5), did(SYNTHETIC, 11)), event('1', at(2, 5), did(SYNTHETIC, 11)),
    event('2', at(2, 30), did(AFTERMARKET, 22)),
    // Both kinds paired, only the aftermarket device sent data: the archive tells.
    event('3', at(2, 40), did(AFTERMARKET, 23)),
    // Nothing paired any more (the device was unpaired after the week): the archive tells.
    event('4', at(2, 50), did(SYNTHETIC, 14)),
    event('5', at(2, 60), did(SYNTHETIC, 15)),
    event('6', at(0, 9), did(SYNTHETIC, 16)),
  ];
  await vault.log.append(events.map((e, i) => ({ event: e, dedupDay: Math.floor(e.time / 86_400_000), dedupHash: Buffer.from(String(i).padEnd(16, '.')) })));
  await vault.flush();
  await vault.close();
  await store.close();
  await mkdir(join(dataDir, 'chain'), { recursive: true });
  const deployment = { chainId: 31337, deployer: ANVIL_DEV_ADDRESS, blockNumber: '0', planHash: 'test', contracts: { ...c.addr, Issuance: issuance, RewardsPayout: payout, SyntheticDevice: SYNTHETIC, AftermarketDevice: AFTERMARKET } };
  await writeFile(join(dataDir, 'chain', 'deployment.json'), JSON.stringify(deployment));

  const cli = async (args: string[]) => {
    const run = runCli([...args, '-d', dataDir, '--json'], { OPENDIMO_KEY: ANVIL_DEV_PRIVATE_KEY, OPENDIMO_RPC_URL: c.anvil.rpcUrl });
    const { code } = await run.exited;
    assert.equal(code, 0, run.output());
    return JSON.parse(run.output()) as Record<string, any>;
  };
  const chainArgs = ['--cache-dir', TEST_CACHE_DIR];

  const computed = await cli(['rewards', 'compute', '--week', '2', ...chainArgs]);
  const budget = await c.read<bigint>(issuance, 'budgetOf', [2n, 0], 'Issuance');
  assert.equal(budget, 773_500n * E18);
  assert.equal(computed.budget, budget.toString());
  assert.equal(computed.total, budget.toString(), 'the week pays out its budget exactly');
  assert.equal(computed.minted.length, 1, 'week 2 was minted on the way (0 and 1 were by the first test)');
  assert.equal(await c.read(issuance, 'isMinted', [2n], 'Issuance'), true);
  assert.ok(computed.postedTx);
  const [root, total] = await c.read<[string, bigint, bigint]>(payout, 'weekRoot', [2n], 'RewardsPayout');
  assert.equal(root, computed.root);
  assert.equal(total, budget);

  const shown = await cli(['rewards', 'show', '--week', '2', '--entries']);
  const entries = new Map<string, any>(shown.entries.map((e: any) => [e.vehicleId, e]));
  assert.deepEqual([...entries.keys()], ['1', '2', '3', '4', '5', '6']);
  const codes = (id: string) => entries.get(id).reasons.map((r: { code: string; kind?: string }) => r.kind ?? r.code);
  assert.deepEqual(codes('1'), ['software', 'streak', 'union', 'union'], 'three weeks in a row, two unions');
  assert.deepEqual(entries.get('1').streak, { level: 1, weeks: 3, missed: 0 });
  assert.deepEqual(codes('2'), ['aftermarket', 'streak', 'location_opt_out']);
  assert.deepEqual(codes('3'), ['aftermarket', 'streak'], 'the producers decided between both paired kinds');
  assert.deepEqual(codes('4'), ['software', 'streak'], 'the producers named a kind no device is paired for now');
  assert.deepEqual(codes('5'), ['software', 'streak', 'duplicate_vin'], 'vehicle 1 has the same VIN and more points');
  assert.equal(entries.get('5').amount, '0');
  assert.deepEqual(codes('6'), ['not_connected'], 'tracked from week 0, missing since');
  assert.deepEqual(entries.get('6').streak, { level: 1, weeks: 1, missed: 2 });
  assert.equal(shown.entries.reduce((s: bigint, e: any) => s + BigInt(e.amount), 0n), budget);
  assert.equal(Number(entries.get('2').points), 3_000, '4000 − 25 %');

  // Alice claims vehicle 1's reward with the proof the CLI printed; a second claim fails.
  const one = await cli(['rewards', 'show', '--week', '2', '--vehicle', '1']);
  const claim = one.entries[0].claim;
  assert.equal(claim.beneficiary, owners[0]);
  const before = await c.balance('DimoToken', alice.address);
  await c.write(c.actors.stranger, payout, 'claim', [2n, 1n, claim.beneficiary, BigInt(claim.amount), claim.proof], 'RewardsPayout');
  assert.equal(await c.balance('DimoToken', alice.address), before + BigInt(claim.amount));
  await expectRevert(c.write(c.actors.stranger, payout, 'claim', [2n, 1n, claim.beneficiary, BigInt(claim.amount), claim.proof], 'RewardsPayout'), 'VehicleAlreadyClaimed', [2n, 1n]);
  // Vehicle 5 (same VIN) has no leaf at all.
  await expectRevert(c.write(c.actors.stranger, payout, 'claim', [2n, 5n, owners[1], BigInt(claim.amount), claim.proof], 'RewardsPayout'), 'InvalidProof');

  // Rerunning the week — on its frozen inputs, or gathering them again — yields the same root.
  const rerun = await cli(['rewards', 'compute', '--week', '2', ...chainArgs]);
  assert.equal(rerun.root, computed.root);
  assert.equal(rerun.sameRoot, true);
  assert.equal(rerun.reusedInputs, true);
  assert.equal(rerun.postedTx, undefined, 'the chain already holds it');
  const regathered = await cli(['rewards', 'compute', '--week', '2', '--regather', '--no-post', ...chainArgs]);
  assert.equal(regathered.root, computed.root);
  assert.equal(regathered.inputsHash, computed.inputsHash);
});
