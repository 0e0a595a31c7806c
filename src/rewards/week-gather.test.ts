// Gathering a week from the store on both dialects: connectivity from vault chunk rows (hour chunks
// starting inside the week), streaks replayed from earlier weeks' chunks or taken from the stored
// previous week — which must agree — and owner, VIN hash, location opt-out and unions at the current
// owner epoch.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeBothStores } from '../../test/support/postgres.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { UnionMemberships } from '../unions/union-memberships.ts';
import { WEEK_MS, type ConnectionKind } from './reward-rules.ts';
import { RewardsEngine } from './rewards-engine.ts';
import { RewardsStore } from './rewards-store.ts';
import { gatherWeek } from './week-gather.ts';

const START = Date.UTC(2026, 0, 5, 0, 0);
const owner = (n: number) => `0x${String(n).padStart(40, '0')}`;

describeBothStores('rewards gather', (target) => {
  it('replayed streaks equal stored ones, and each vehicle is read at its current owner epoch', async () => {
    const store = await target.open();
    const db = store.db;
    // Vehicle 1 connects weeks 0–5; vehicle 2 weeks 0–4 then stops; vehicle 3 only in week 5 (its
    // data sits in the hour chunk that starts one hour before the week ends); vehicle 4 was
    // transferred (version 2) and its memberships and opt-out of version 1 no longer count.
    const chunks: Array<[string, number, number]> = [];
    for (let w = 0; w <= 5; w++) chunks.push(['1', 1, START + w * WEEK_MS + 3_600_000]);
    for (let w = 0; w <= 4; w++) chunks.push(['2', 1, START + w * WEEK_MS + 7_200_000]);
    chunks.push(['3', 1, START + 6 * WEEK_MS - 3_600_000]);
    chunks.push(['3', 1, START + 6 * WEEK_MS], ['4', 1, START + 5 * WEEK_MS + 10], ['4', 2, START + 5 * WEEK_MS + 3_600_000]);
    await db.insertInto('vault_chunks').values(chunks.map(([vehicle, version, start], i) => ({
      seg_id: `s${i}`, vehicle_id: vehicle, owner_version: version, chunk_start: start, n_events: 1, n_samples: 1, samples: Buffer.alloc(1), rollups: Buffer.alloc(1), events: Buffer.alloc(1),
    }))).execute();
    await db.insertInto('identity_vehicles').values(['1', '2', '3', '4'].map((id) => ({ token_id: id, owner: owner(Number(id)), version: id === '4' ? 2 : 1, make: 'M', model: 'X', year: 2020, vin_hash: `0x${id.padStart(64, 'c')}`, minted_at: 0, minted_block: 0 }))).execute();
    await db.insertInto('privacy_settings').values([
      { vehicle_id: '1', owner_version: 1, location_opt_out: 1, zones: null, updated_at: 0 },
      { vehicle_id: '4', owner_version: 1, location_opt_out: 1, zones: null, updated_at: 0 },
    ]).execute();
    const clock = new ManualClock(START + 20 * WEEK_MS);
    const unions = new UnionMemberships(store, clock);
    await unions.set('1', 1, owner(1), ['charging', 'battery-health']);
    await unions.set('4', 1, '0xprevious', ['charging']);
    const rewards = new RewardsStore(store);
    const kinds: Record<string, ConnectionKind[]> = { 1: ['software'], 2: ['aftermarket'], 3: ['software'], 4: ['aftermarket'] };
    const deps = {
      store, rewards, unions, issuanceStartMs: START, contracts: {},
      reader: { chunks: async () => [] },
      identity: { vehicle: (id: bigint) => ({ owner: owner(Number(id)), version: id === 4n ? 2 : 1 }), pairedKinds: (id: bigint) => kinds[String(id)] ?? [] },
    };

    const replayed = await gatherWeek(deps, 5);
    const byId = new Map(replayed.vehicles.map((v) => [v.vehicleId, v]));
    assert.deepEqual([...byId.keys()], ['1', '2', '3', '4']);
    assert.deepEqual(byId.get('1'), {
      vehicleId: '1', owner: owner(1), vinHash: `0x${'1'.padStart(64, 'c')}`, connected: true, kinds: ['software'], locationOptOut: true,
      unions: ['battery-health', 'charging'], prior: { level: 2, weeks: 5, missed: 0 },
    });
    assert.equal(byId.get('2')!.connected, false);
    assert.deepEqual(byId.get('2')!.prior, { level: 2, weeks: 5, missed: 0 });
    assert.equal(byId.get('3')!.connected, true, 'the chunk starting an hour before the week ends counts');
    assert.deepEqual(byId.get('3')!.prior, { level: 1, weeks: 0, missed: 0 });
    assert.equal(byId.get('4')!.locationOptOut, false, 'the previous owner\'s opt-out does not carry over');
    assert.deepEqual(byId.get('4')!.unions, [], 'nor do their unions');

    // Computing weeks 0–4 stores streaks; gathering week 5 then takes them and agrees with the replay.
    const engine = new RewardsEngine({
      rewards, clock, logger: silentLogger(),
      chain: { issuanceStartMs: async () => START, budget: async () => ({ budget: 10n ** 21n, minted: [] }), weekRoot: async () => ({ root: '0x', total: 0n, claimed: 0n }), post: async () => ({ tx: undefined, minted: [] }) },
      gather: (week, start) => gatherWeek({ ...deps, issuanceStartMs: start }, week),
    });
    for (let w = 0; w <= 4; w++) await engine.compute(w);
    const fromStored = await gatherWeek(deps, 5);
    assert.deepEqual(fromStored.vehicles.map((v) => [v.vehicleId, v.prior]), replayed.vehicles.map((v) => [v.vehicleId, v.prior]));
    const week5 = await engine.compute(5);
    const again = await engine.compute(5, { regather: true });
    assert.equal(again.root, week5.root);
    assert.equal(again.inputsHash, week5.inputsHash);
    assert.equal(week5.total, 10n ** 21n);
  });
});
