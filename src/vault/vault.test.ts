// The vault on both stores: group-committed appends with duplicate detection, compaction into chunks,
// rollups, latest values and the location stream, and records bound to their rows.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeBothStores } from '../../test/support/postgres.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { open } from './aead.ts';
import { vehicleKeyRef } from './data-keys.ts';
import type { PendingWrite } from './event-log.ts';
import type { LogEvent } from './log-record.ts';
import { aad } from './records.ts';
import { openVault } from './vault.ts';
import { kyselySql } from './vault-sql.ts';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const NAMES = ['speed', 'powertrainType', 'currentLocationAltitude'];

function event(vehicleId: string, id: string, time: number, speed: number, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    vehicleId, version: 1, owner: '0x' + 'ab'.repeat(20), id, source: '0xSource', type: 'dimo.status', time, producer: 'did:erc721:1:0x0:1',
    signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0', samples: [0, time, speed, 1, time, 'ELECTRIC'], locationSamples: [2, time, 120],
    points: [{ ts: time, lat: 52.52, lng: 13.405 }], extra: null, rejected: 0, ...extra,
  };
}

function write(e: LogEvent): PendingWrite {
  return { event: e, dedupDay: Math.floor(e.time / 86_400_000), dedupHash: Buffer.from(`${e.vehicleId}|${e.id}`.padEnd(16, '.').slice(0, 16)) };
}

describeBothStores('vault', (target) => {
  async function vault() {
    const fresh = await target.fresh();
    const store = await target.open({ dataDir: fresh.dataDir, databaseUrl: fresh.databaseUrl });
    const v = await openVault({
      store, kek: randomBytes(32), keyringFile: join(fresh.dataDir, 'keys', 'vault-keyring.json'), clock: new ManualClock(T0),
      logger: silentLogger(), names: NAMES, dedupRetentionDays: 30, compactIntervalMs: 0,
    });
    return { store, v };
  }

  it('appends with group commit, skips duplicates, compacts into latest, series, rollups, archive and location', async () => {
    const { v } = await vault();
    const [a, b] = await Promise.all([
      v.log.append([write(event('7', 'e1', T0, 50)), write(event('7', 'e2', T0 + 1000, 70))]),
      v.log.append([write(event('7', 'e1', T0, 50)), write(event('8', 'e3', T0 + 2000, 10))]),
    ]);
    assert.deepEqual(a, [true, true]);
    assert.deepEqual(b, [false, true], 'the repeat of e1 is a duplicate, in the same commit');
    assert.deepEqual(await v.log.append([write(event('7', 'e2', T0 + 1000, 70))]), [false], 'and in a later one');
    assert.equal(await v.flush(), 3);

    const latest = await v.reader.latest('7', 1);
    assert.deepEqual(latest?.signals.speed, [T0 + 1000, 70]);
    assert.deepEqual(latest?.signals.powertrainType, [T0 + 1000, 'ELECTRIC']);
    assert.deepEqual(await v.reader.series('7', 1, 'speed'), { ts: [T0, T0 + 1000], v: [50, 70] });
    const [chunk] = await v.reader.chunks('7', 1);
    assert.deepEqual(chunk?.rollups.speed, { count: 2, sum: 120, min: 50, max: 70, first: [T0, 50], last: [T0 + 1000, 70] });
    assert.deepEqual((await v.reader.events('7', 1)).map((e) => e.id), ['e1', 'e2']);
    const loc = await v.reader.locations('7', 1, T0 - 1, T0 + 5000);
    assert.deepEqual(loc.points.map((p) => [p.lat, p.lng, p.redacted]), [[52.52, 13.405, false], [52.52, 13.405, false]]);
    assert.deepEqual((await v.reader.latestLocation('7', 1))?.point, [T0 + 1000, 52.52, 13.405, 0]);
    assert.deepEqual(await v.reader.locations('7', 1, T0 + 3_600_000, T0 + 3_700_000), { points: [], samples: [] }, 'another hour has another tag');

    // A second compaction merges latest values and adds a segment.
    await v.log.append([write(event('7', 'e4', T0 + 5000, 90))]);
    await v.flush();
    assert.deepEqual((await v.reader.latest('7', 1))?.signals.speed, [T0 + 5000, 90]);
    assert.deepEqual((await v.reader.series('7', 1, 'speed')).v, [50, 70, 90]);
    await v.close();
  });

  it('binds each ciphertext to its row: a record copied to another row does not open', async () => {
    const { store, v } = await vault();
    await v.log.append([write(event('7', 'e1', T0, 50)), write(event('8', 'e2', T0, 60))]);
    await v.flush();
    const rows = await store.db.selectFrom('vault_chunks').selectAll().orderBy('vehicle_id').execute();
    const key7 = (await v.keys.getMany(kyselySql(store.db), [{ ref: vehicleKeyRef('7', 1), kind: 'vehicle' }], false)).get(vehicleKeyRef('7', 1))!;
    const [r7, r8] = rows;
    assert.ok(open(key7, r7!.samples, aad.chunk(r7!.seg_id, '7', 1, r7!.chunk_start, 'samples')));
    assert.throws(() => open(key7, r7!.samples, aad.chunk(r8!.seg_id, '8', 1, r8!.chunk_start, 'samples')), /ODM_ERR_DECRYPT|does not open/);
    assert.throws(() => open(key7, r7!.rollups, aad.chunk(r7!.seg_id, '7', 1, r7!.chunk_start, 'samples')), /does not open/);
    await v.close();
  });

  it('shredding a vehicle deletes its rows and keys and leaves the others readable', async () => {
    const { store, v } = await vault();
    await v.log.append([write(event('7', 'e1', T0, 50)), write(event('8', 'e2', T0, 60))]);
    await v.flush();
    await v.log.append([write(event('7', 'e3', T0 + 10, 55))]); // still in the log when the delete starts
    const report = await v.shredder.shredVehicle('7');
    assert.equal(report.keys, 2, 'vehicle key and location-stream key');
    assert.equal(await v.reader.latest('7', 1), undefined);
    assert.deepEqual(await v.reader.events('7', 1), []);
    assert.deepEqual((await v.reader.locations('7', 1)).points, []);
    assert.equal((await store.db.selectFrom('vault_keys').select('key_ref').where('vehicle_id', '=', '7').execute()).length, 0);
    assert.equal((await store.db.selectFrom('vault_log').select('id').execute()).length, 0);
    assert.deepEqual((await v.reader.latest('8', 1))?.signals.speed, [T0, 60], 'other vehicles survive the bucket rotation');
    assert.equal((await v.reader.locations('8', 1)).points.length, 1);
    await v.close();
  });

  it('shredding an owner deletes every vehicle epoch they held, and nothing of other owners', async () => {
    const { store, v } = await vault();
    const other = '0x' + 'cd'.repeat(20);
    await v.log.append([write(event('7', 'e1', T0, 50)), write(event('8', 'e2', T0, 60)), write(event('9', 'e3', T0, 70, { owner: other }))]);
    await v.flush();
    const report = await v.shredder.shredOwner('0x' + 'AB'.repeat(20));
    assert.equal(report.vehicles, 2);
    assert.equal(await v.reader.latest('7', 1), undefined);
    assert.equal(await v.reader.latest('8', 1), undefined);
    assert.deepEqual((await v.reader.latest('9', 1))?.signals.speed, [T0, 70]);
    assert.deepEqual((await store.db.selectFrom('vault_keys').select('vehicle_id').where('kind', '=', 'vehicle').execute()).map((r) => r.vehicle_id), ['9']);
    await v.close();
  });
});
