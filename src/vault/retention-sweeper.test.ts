// Retention per owner on both stores: the sweep deletes only what lies before the owner's window, for that
// owner's vehicles (chunks, archived events, location, stale latest values), records it in the owner's
// activity, leaves other owners alone, and on PostgreSQL drops whole months older than every window.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeBothStores } from '../../test/support/postgres.ts';
import type { ActivityEntryInput, ActivityLog } from '../activity/activity-log.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import type { PendingWrite } from './event-log.ts';
import type { LogEvent } from './log-record.ts';
import { ensurePartitions, listPartitions } from './partitions.ts';
import { RetentionSettings, validateRetentionDays } from './retention.ts';
import { RetentionSweeper, startRetention } from './retention-sweeper.ts';
import { openVault } from './vault.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 2, 15, 12, 0, 0);
const NAMES = ['speed'];
const ALICE = '0x' + 'ab'.repeat(20);
const BOB = '0x' + 'cd'.repeat(20);

function write(vehicleId: string, owner: string, id: string, time: number, speed: number): PendingWrite {
  const event: LogEvent = {
    vehicleId, version: 1, owner, id, source: '0xSource', type: 'dimo.status', time, producer: 'did:erc721:1:0x0:1',
    signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0', samples: [0, time, speed], locationSamples: [],
    points: [{ ts: time, lat: 52.52, lng: 13.405 }], extra: null, rejected: 0,
  };
  return { event, dedupDay: Math.floor(time / DAY), dedupHash: Buffer.from(`${vehicleId}|${id}`.padEnd(16, '.').slice(0, 16)) };
}

/** Collects appended entries (the activity journal itself has its own tests). */
function activityCollector(): { log: ActivityLog; entries: ActivityEntryInput[] } {
  const entries: ActivityEntryInput[] = [];
  const log = {
    append: async (e: ActivityEntryInput) => void entries.push(e),
    appendMany: async (es: ActivityEntryInput[]) => void entries.push(...es),
  } as unknown as ActivityLog;
  return { log, entries };
}

describeBothStores('vault retention', (target) => {
  async function vault() {
    const fresh = await target.fresh();
    const store = await target.open({ dataDir: fresh.dataDir, databaseUrl: fresh.databaseUrl });
    const clock = new ManualClock(NOW);
    const v = await openVault({
      store, kek: randomBytes(32), keyringFile: join(fresh.dataDir, 'keys', 'vault-keyring.json'), clock,
      logger: silentLogger(), names: NAMES, dedupRetentionDays: 90, compactIntervalMs: 0,
    });
    await ensurePartitions(store.db, Date.UTC(2026, 0, 1), 3);
    return { store, v, clock };
  }

  it('validates the setting at the boundary', () => {
    for (const bad of [0, -1, 1.5, 3651, '7', true, undefined, Number.NaN]) {
      assert.throws(() => validateRetentionDays(bad), (e: { code?: string }) => e.code === 'ODM_ERR_RETENTION_INVALID', String(bad));
    }
    assert.equal(validateRetentionDays(1), 1);
    assert.equal(validateRetentionDays(3650), 3650);
    assert.equal(validateRetentionDays(null), null);
  });

  it("deletes only data older than the owner's window, for that owner's vehicles", async () => {
    const { store, v, clock } = await vault();
    const old = NOW - 10 * DAY; // March 5
    const older = Date.UTC(2026, 0, 20, 8); // January, another partition
    const recent = NOW - DAY;
    await v.log.append([
      write('7', ALICE, 'a-older', older, 1), write('7', ALICE, 'a-old', old, 2), write('7', ALICE, 'a-new', recent, 3),
      write('9', ALICE, 'a9-old', old, 4), // a vehicle with nothing recent
      write('8', BOB, 'b-old', old, 5), write('8', BOB, 'b-new', recent, 6),
    ]);
    assert.equal(await v.flush(), 6);

    const settings = new RetentionSettings(store, clock);
    await settings.set(ALICE.toUpperCase().replace('0X', '0x'), 5);
    assert.equal(await settings.get(ALICE), 5, 'addresses are case-insensitive');
    const { log, entries } = activityCollector();
    const sweeper = new RetentionSweeper({ store, clock, logger: silentLogger(), pseudonyms: v.pseudonyms, maxEventAgeDays: 90, activity: () => log, batchSize: 1,
      exclusive: (fn) => v.compactor.exclusive(fn) });
    const report = await sweeper.sweepOnce();
    assert.equal(report.chunks, 3, 'two of vehicle 7 and one of vehicle 9, one row per batch');
    assert.equal(report.events, 3);
    assert.equal(report.locationChunks, 3);
    assert.deepEqual(report.partitionsDropped, [], 'Bob keeps everything: no whole month goes');

    assert.deepEqual((await v.reader.events('7', 1)).map((e) => e.id), ['a-new']);
    assert.deepEqual((await v.reader.locations('7', 1)).points.map((p) => p.ts), [recent]);
    assert.deepEqual((await v.reader.latest('7', 1))?.signals.speed, [recent, 3], 'fresh latest values stay');
    assert.deepEqual(await v.reader.events('9', 1), []);
    assert.equal(await v.reader.latest('9', 1), undefined, 'a latest record with nothing newer left goes');
    assert.equal(await v.reader.latestLocation('9', 1), undefined);
    assert.deepEqual((await v.reader.events('8', 1)).map((e) => e.id), ['b-old', 'b-new'], "Bob's data is untouched");
    assert.equal((await v.reader.locations('8', 1)).points.length, 2);

    assert.deepEqual(entries.map((e) => [e.owner, e.kind, e.vehicleId, e.detail?.what, e.detail?.chunks]).sort(), [
      [ALICE, 'delete', '7', 'retention', 2], [ALICE, 'delete', '9', 'retention', 1],
    ]);
    const again = await sweeper.sweepOnce();
    assert.equal(again.chunks + again.locationChunks + again.latest, 0, 'idempotent');

    // Clearing the setting keeps everything from then on.
    await settings.set(ALICE, null);
    clock.advance(30 * DAY);
    assert.equal((await sweeper.sweepOnce()).chunks, 0);
    assert.deepEqual((await v.reader.events('7', 1)).map((e) => e.id), ['a-new']);
    await v.close();
  });

  it('drops whole months older than the longest window when every owner has one (PostgreSQL), rows elsewhere', async () => {
    const { store, v, clock } = await vault();
    await v.log.append([
      write('7', ALICE, 'jan', Date.UTC(2026, 0, 10), 1), write('8', BOB, 'jan', Date.UTC(2026, 0, 12), 2),
      write('8', BOB, 'feb', Date.UTC(2026, 1, 20), 3), write('8', BOB, 'mar', NOW - DAY, 4),
    ]);
    await v.flush();
    const settings = new RetentionSettings(store, clock);
    await settings.set(ALICE, 3);
    await settings.set(BOB, 20); // cutoff Feb 23: January wholly before it, February not
    const handle = startRetention({ store, clock, logger: silentLogger(), pseudonyms: v.pseudonyms, maxEventAgeDays: 90, intervalMs: 3_600_000 });
    await handle.sweepOnce(); // after the sweep startRetention began with
    await handle.stop();
    if (target.dialect === 'postgres') {
      assert.ok(!(await listPartitions(store.db, 'vault_chunks')).some((p) => p.name === 'vault_chunks_p202601'));
    }
    assert.deepEqual(await v.reader.events('7', 1), []);
    assert.deepEqual((await v.reader.events('8', 1)).map((e) => e.id), ['mar'], "February is before Bob's window: deleted row by row");
    await v.close();
  });
});
