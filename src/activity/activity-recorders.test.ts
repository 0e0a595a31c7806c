// What the node records on its own: chain changes (grants, revocations, connections) as owner
// activity, and stored telemetry as one `collect` entry per vehicle and minute.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { RowChange } from '../chain/indexer/indexer-types.ts';
import { privilegesToMask } from '../consent/privileges.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { StoredTelemetry, telemetrySubject } from '../ingest/pipeline/stored-telemetry.ts';
import { openStore } from '../store/open-store.ts';
import type { LogEvent } from '../vault/log-record.ts';
import { openVault } from '../vault/vault.ts';
import { ActivityJournal } from './activity-journal.ts';
import { activityFromChanges } from './chain-activity.ts';
import { startCollectActivity } from './collect-activity.ts';

const ALICE = '0x' + 'a1'.repeat(20);
const BOB = '0x' + 'b0'.repeat(20);
const APP = '0x' + 'cc'.repeat(20);
const ASSET = '0x' + 'ee'.repeat(20);
const NOW = Date.UTC(2026, 3, 1, 8, 0, 0);

describe('chain changes as owner activity', () => {
  const owners = new Map<bigint, string>([[7n, ALICE]]);
  const ctx = { ownerOf: (id: bigint) => owners.get(id), now: () => NOW };
  const grantRow = (grantor: string, privileges: number[]) => ({
    asset: ASSET, token_id: '7', version: 0, grantee: APP, grantor, permissions: `0x${privilegesToMask(privileges).toString(16)}`,
    expiration: String(NOW / 1000 + 3600), source: '0xabc', granted_at: NOW,
  });
  const vehicle = (owner: string, version: number) => ({ token_id: '7', owner, version, make: 'Tesla', model: 'Model 3', year: 2022, vin_hash: '0x00', minted_at: NOW, minted_block: 1 });

  it('grants, changed grants and revocations, per vehicle and account-wide', () => {
    const changes: RowChange[] = [
      { table: 'identity_grants', key: {}, before: undefined, after: grantRow(ALICE, [1, 6]) },
      { table: 'identity_account_grants', key: {}, before: undefined, after: { grantor: ALICE, grantee: APP, permissions: `0x${privilegesToMask([8]).toString(16)}`, expiration: '115792089237316195423570985008687907853269984665640564039457584007913129639935', source: '0x1', granted_at: NOW } },
    ];
    const out = activityFromChanges(changes, { kind: 'apply', blockNumber: 42n }, ctx);
    assert.deepEqual(out, [
      { owner: ALICE, kind: 'grant', vehicleId: '7', app: { address: APP }, privileges: [1, 6], at: NOW, detail: { blockNumber: '42', asset: ASSET, expiresAt: NOW + 3_600_000, source: '0xabc' } },
      { owner: ALICE, kind: 'grant', app: { address: APP }, privileges: [8], at: NOW, detail: { blockNumber: '42', scope: 'account', expiresAt: 'never', source: '0x1' } },
    ]);
    const same = activityFromChanges([{ table: 'identity_grants', key: {}, before: grantRow(ALICE, [1, 6]), after: grantRow(ALICE, [1, 6]) }], { kind: 'apply', blockNumber: 43n }, ctx);
    assert.deepEqual(same, [], 'a rewrite with nothing changed records nothing');
    const widened = activityFromChanges([{ table: 'identity_grants', key: {}, before: grantRow(ALICE, [1]), after: grantRow(ALICE, [1, 3]) }], { kind: 'apply', blockNumber: 44n }, ctx);
    assert.deepEqual(widened.map((e) => [e.kind, e.privileges]), [['grant', [1, 3]]]);
    const revoked = activityFromChanges([{ table: 'identity_grants', key: {}, before: grantRow(ALICE, [1, 6]), after: undefined }], { kind: 'apply', blockNumber: 45n }, ctx);
    assert.deepEqual(revoked, [{ owner: ALICE, kind: 'revoke', vehicleId: '7', app: { address: APP }, privileges: [1, 6], at: NOW, detail: { blockNumber: '45', asset: ASSET, reason: 'revoked' } }]);
  });

  it('mints, transfers (voiding grants), device pairing, and reorg rollbacks', () => {
    const minted = activityFromChanges([{ table: 'identity_vehicles', key: {}, before: undefined, after: vehicle(ALICE, 0) }], { kind: 'apply', blockNumber: 1n }, ctx);
    assert.deepEqual(minted.map((e) => [e.owner, e.kind, e.vehicleId, e.detail?.event]), [[ALICE, 'connect', '7', 'vehicle minted']]);

    const transfer = activityFromChanges([
      { table: 'identity_vehicles', key: {}, before: vehicle(ALICE, 0), after: vehicle(BOB, 1) },
      { table: 'identity_grants', key: {}, before: grantRow(ALICE, [1]), after: undefined },
    ], { kind: 'apply', blockNumber: 2n }, ctx);
    assert.deepEqual(transfer.map((e) => [e.owner, e.kind, e.detail?.event ?? e.detail?.reason]), [
      [ALICE, 'disconnect', 'vehicle transferred away'],
      [BOB, 'connect', 'vehicle received'],
      [ALICE, 'revoke', 'vehicle transferred or burned'],
    ]);

    const aftermarket = (vehicleId: string | null) => ({ token_id: '3', manufacturer_id: '1', address: '0x' + '33'.repeat(20), owner: ALICE, claimed_at: NOW, vehicle_id: vehicleId, paired_at: vehicleId ? NOW : null, minted_at: NOW });
    const paired = activityFromChanges([{ table: 'identity_aftermarket_devices', key: {}, before: aftermarket(null), after: aftermarket('7') }], { kind: 'apply', blockNumber: 3n }, ctx);
    assert.deepEqual(paired.map((e) => [e.owner, e.kind, e.detail?.event, e.detail?.deviceId]), [[ALICE, 'connect', 'device paired', '3']]);
    const synthetic = { token_id: '4', vehicle_id: '7', connection_id: '2', address: '0x' + '44'.repeat(20), minted_at: NOW };
    const unminted = activityFromChanges([{ table: 'identity_synthetic_devices', key: {}, before: synthetic, after: undefined }], { kind: 'apply', blockNumber: 4n }, ctx);
    assert.deepEqual(unminted.map((e) => [e.kind, e.detail?.device, e.detail?.connectionId]), [['disconnect', 'synthetic', '2']]);

    // A reorg undoing a revocation brings the grant back; the log says so.
    const undone = activityFromChanges([{ table: 'identity_grants', key: {}, before: undefined, after: grantRow(ALICE, [1]) }], { kind: 'rollback', blockNumber: 9n }, ctx);
    assert.equal(undone[0]!.kind, 'grant');
    assert.equal(undone[0]!.detail?.reorg, true);
    assert.deepEqual(activityFromChanges([{ table: 'identity_manufacturers', key: {}, before: undefined, after: { token_id: '1', name: 'x', owner: BOB, minted_at: NOW } }], { kind: 'apply', blockNumber: 5n }, ctx), []);
  });
});

describe('stored telemetry as one collect entry per vehicle and minute', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-collect-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function batch(vehicleId: string, version: number, times: number[]): StoredTelemetry {
    const events: LogEvent[] = times.map((t, i) => ({
      vehicleId, version, owner: ALICE, id: `${vehicleId}-${t}-${i}`, source: '0xs', type: 'dimo.status', time: t, producer: 'did:x', signer: '0x1',
      dataversion: null, samples: [0, t, 50, 1, t, 'ELECTRIC'], locationSamples: [2, t, 120], points: [{ ts: t, lat: 52.5, lng: 13.4 }], extra: null, rejected: 0,
    }));
    return new StoredTelemetry(vehicleId, version, events, ['speed', 'powertrainType', 'currentLocationAltitude']);
  }

  it('counts a minute of batches into one entry per vehicle, skips data of an earlier owner epoch', async () => {
    const store = await openStore({ dataDir: dir, logger: silentLogger() });
    const clock = new ManualClock(NOW + 5_000);
    const vault = await openVault({ store, kek: randomBytes(32), keyringFile: join(dir, 'keys', 'vault-keyring.json'), clock, logger: silentLogger(), names: [], dedupRetentionDays: 30, compactIntervalMs: 0 });
    const journal = new ActivityJournal({ store, vault, clock, logger: silentLogger() });
    const bus = createMemoryBus({ logger: silentLogger() });
    const owners: Record<string, { owner: string; version: number }> = { '7': { owner: ALICE, version: 1 }, '8': { owner: ALICE, version: 2 }, '9': { owner: BOB, version: 1 } };
    const collect = startCollectActivity({
      bus, clock, logger: silentLogger(), log: journal, tickMs: 60_000,
      ownerOf: (id, version) => (owners[id]?.version === version ? owners[id].owner : undefined),
    });
    const tick = () => new Promise((r) => setImmediate(r));
    try {
      for (let i = 0; i < 50; i++) await bus.publish(telemetrySubject('7'), batch('7', 1, [NOW + i * 100, NOW + i * 100 + 50]));
      for (let i = 0; i < 20; i++) await bus.publish(telemetrySubject('9'), batch('9', 1, [NOW + 1000 + i]));
      await bus.publish(telemetrySubject('8'), batch('8', 1, [NOW])); // version 1 of vehicle 8 belonged to someone else
      await tick();
      await collect.flush();
      assert.deepEqual((await journal.list(ALICE, {})).entries, [], 'nothing until the minute ends');

      clock.advance(60_000);
      await bus.publish(telemetrySubject('7'), batch('7', 1, [NOW + 61_000]));
      await tick();
      await collect.flush();
      const alice = (await journal.list(ALICE, { order: 'asc' })).entries;
      assert.deepEqual(alice.map((e) => [e.kind, e.vehicleId, e.at, e.detail]), [
        ['collect', '7', NOW, { batches: 50, events: 100, signals: 300, locations: 100, from: NOW, to: NOW + 4950 }],
      ]);
      const bob = (await journal.list(BOB, {})).entries;
      assert.deepEqual(bob.map((e) => [e.vehicleId, e.detail?.events]), [['9', 20]]);

      await collect.stop();
      const after = (await journal.list(ALICE, { order: 'asc' })).entries;
      assert.deepEqual(after.map((e) => [e.vehicleId, e.at, e.detail?.events]), [['7', NOW, 100], ['7', NOW + 60_000, 1]], 'stop writes the open minute');
    } finally {
      await collect.stop();
      await journal.close();
      await vault.close();
      await bus.close();
      await store.close();
    }
  });
});
