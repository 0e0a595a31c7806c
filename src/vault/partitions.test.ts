// Monthly partitions of the vault on PostgreSQL (plain tables on SQLite): they exist after migrating,
// writes and reads across a month boundary and far outside any month round-trip through the reader the
// same on both stores, DEFAULT rows move into a month created later, and an existing database's rows
// survive being partitioned.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { describeBothStores } from '../../test/support/postgres.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import { migrations } from '../store/migrations/index.ts';
import type { PendingWrite } from './event-log.ts';
import type { LogEvent } from './log-record.ts';
import { dropPartitionsBefore, ensurePartitions, listPartitions, monthStartOf, partitionName, PARTITIONED_TABLES } from './partitions.ts';
import { openVault } from './vault.ts';

const T0 = Date.UTC(2026, 0, 31, 23, 30, 0); // the last hour of January
const T1 = Date.UTC(2026, 1, 1, 0, 30, 0); // the first of February
const FAR = Date.UTC(2041, 6, 4, 12, 0, 0); // no partition for it
const NAMES = ['speed', 'powertrainType', 'currentLocationAltitude'];
const OWNER = '0x' + 'ab'.repeat(20);
const chunks = PARTITIONED_TABLES.find((t) => t.table === 'vault_chunks')!;

function write(vehicleId: string, id: string, time: number, speed: number): PendingWrite {
  const event: LogEvent = {
    vehicleId, version: 1, owner: OWNER, id, source: '0xSource', type: 'dimo.status', time, producer: 'did:erc721:1:0x0:1',
    signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0', samples: [0, time, speed], locationSamples: [],
    points: [{ ts: time, lat: 52.52, lng: 13.405 }], extra: null, rejected: 0,
  };
  return { event, dedupDay: Math.floor(time / 86_400_000), dedupHash: Buffer.from(`${vehicleId}|${id}`.padEnd(16, '.').slice(0, 16)) };
}

/** Which partition each chunk row sits in, by chunk start (PostgreSQL). */
async function placement(store: Store): Promise<Map<number, string>> {
  const { rows } = await sql<{ chunk_start: string | number; part: string }>`select chunk_start, tableoid::regclass::text as part from vault_chunks`.execute(store.db);
  return new Map(rows.map((r) => [Number(r.chunk_start), r.part]));
}

describeBothStores('vault partitions', (target) => {
  async function vault() {
    const fresh = await target.fresh();
    const store = await target.open({ dataDir: fresh.dataDir, databaseUrl: fresh.databaseUrl });
    const v = await openVault({
      store, kek: randomBytes(32), keyringFile: join(fresh.dataDir, 'keys', 'vault-keyring.json'), clock: new ManualClock(T1),
      logger: silentLogger(), names: NAMES, dedupRetentionDays: 30, compactIntervalMs: 0,
    });
    return { store, v };
  }

  it('migrating partitions the chunk and dedup tables by month, with a DEFAULT partition (PostgreSQL only)', async () => {
    const store = await target.open();
    const { rows } = await sql<{ name: string }>`select partrelid::regclass::text as name from pg_partitioned_table order by 1`.execute(store.db).catch(() => ({ rows: [] as Array<{ name: string }> }));
    if (target.dialect === 'sqlite') {
      assert.deepEqual(await listPartitions(store.db, 'vault_chunks'), []);
      assert.deepEqual(await ensurePartitions(store.db, Date.now()), [], 'a no-op on SQLite');
      return;
    }
    assert.deepEqual(rows.map((r) => r.name), ['ingest_dedup', 'vault_chunks']);
    const { rows: children } = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'vault_chunks'::regclass`.execute(store.db);
    const names = children.map((c) => c.name);
    assert.ok(names.includes('vault_chunks_default'));
    assert.ok(names.includes(partitionName('vault_chunks', monthStartOf(Date.now()))), 'the current month');
    assert.ok(names.length >= 4, 'DEFAULT, this month and the next two');
    assert.deepEqual(await ensurePartitions(store.db, Date.now()), [], 'idempotent');
  });

  it('events in two months, and one far outside any partition, read back the same on both stores', async () => {
    const { store, v } = await vault();
    const created = await ensurePartitions(store.db, T0);
    if (target.dialect === 'postgres') assert.ok(created.includes('vault_chunks_p202601') && created.includes('vault_chunks_p202602'));
    await v.log.append([write('7', 'a', T0, 10), write('7', 'b', T0 + 60_000, 20), write('7', 'c', T1, 30), write('7', 'far', FAR, 99)]);
    assert.equal(await v.flush(), 4);

    assert.deepEqual(await v.reader.series('7', 1, 'speed', T0 - 1, T1 + 1), { ts: [T0, T0 + 60_000, T1], v: [10, 20, 30] }, 'across the month boundary');
    assert.deepEqual(await v.reader.series('7', 1, 'speed', T1, T1), { ts: [T1], v: [30] }, 'one side only');
    assert.deepEqual((await v.reader.events('7', 1)).map((e) => e.id), ['a', 'b', 'c', 'far']);
    assert.deepEqual((await v.reader.series('7', 1, 'speed', FAR - 1, FAR + 1)).v, [99], 'the far write is kept');
    assert.deepEqual((await v.reader.latest('7', 1))?.signals.speed, [FAR, 99]);

    if (target.dialect === 'postgres') {
      const at = await placement(store);
      assert.equal(at.get(Date.UTC(2026, 0, 31, 23)), 'vault_chunks_p202601');
      assert.equal(at.get(Date.UTC(2026, 1, 1, 0)), 'vault_chunks_p202602');
      assert.equal(at.get(Date.UTC(2041, 6, 4, 12)), 'vault_chunks_default', 'outside every month: DEFAULT');
      const { rows } = await sql<{ part: string }>`select tableoid::regclass::text as part from ingest_dedup where day = ${Math.floor(FAR / 86_400_000)}`.execute(store.db);
      assert.deepEqual(rows.map((r) => r.part), ['ingest_dedup_default']);

      // Creating that month later moves its rows out of DEFAULT; the reader sees no difference.
      await ensurePartitions(store.db, FAR, 0);
      assert.equal((await placement(store)).get(Date.UTC(2041, 6, 4, 12)), 'vault_chunks_p204107');
      assert.deepEqual((await v.reader.series('7', 1, 'speed', FAR - 1, FAR + 1)).v, [99]);

      // Dropping whole months removes exactly their rows.
      assert.deepEqual(await dropPartitionsBefore(store.db, chunks, Date.UTC(2026, 1, 1)), ['vault_chunks_p202601']);
      assert.deepEqual((await v.reader.events('7', 1)).map((e) => e.id), ['c', 'far']);
    }
    await v.close();
  });

  it('partitions an existing database without losing rows (PostgreSQL), and leaves SQLite plain', async () => {
    const fresh = await target.fresh();
    const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0210'));
    const old = await target.open({ ...fresh, migrations: before });
    const row = (i: number, start: number) => ({
      seg_id: `seg${i}`, vehicle_id: '7', owner_version: 1, chunk_start: start, n_events: 1, n_samples: 1,
      samples: Buffer.from([i]), rollups: Buffer.from([i]), events: Buffer.from([i]),
    });
    const starts = [Date.UTC(2025, 10, 3), Date.UTC(2026, 0, 31, 23), Date.UTC(2026, 1, 1)];
    await old.db.insertInto('vault_chunks').values(starts.map((s, i) => row(i, s))).execute();
    await old.db.insertInto('ingest_dedup').values({ day: 20_000, hash: Buffer.alloc(16, 1) }).execute();
    await old.close();

    const store = await target.open(fresh);
    const rows = await store.db.selectFrom('vault_chunks').select(['seg_id', 'chunk_start', 'samples']).orderBy('chunk_start').execute();
    assert.deepEqual(rows.map((r) => [r.seg_id, r.chunk_start, r.samples[0]]), starts.map((s, i) => [`seg${i}`, s, i]));
    assert.equal((await store.db.selectFrom('ingest_dedup').select('day').execute()).length, 1);
    if (target.dialect === 'postgres') {
      const at = await placement(store);
      assert.equal(at.get(starts[0]!), 'vault_chunks_p202511', 'months of existing rows are created');
      assert.equal(at.get(starts[2]!), 'vault_chunks_p202602');
      // The primary key now includes chunk_start, and still refuses a duplicate row.
      await assert.rejects(store.db.insertInto('vault_chunks').values(row(2, starts[2]!)).execute(), /duplicate key/);
    }
  });
});
