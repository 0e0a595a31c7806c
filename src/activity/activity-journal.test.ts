// The activity log on both stores: append, list with filters and paging, the hash chain and what
// tampering does to it, nothing readable at rest, shredding, and coalescing under a burst.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeBothStores } from '../../test/support/postgres.ts';
import { ManualClock } from '../core/clock.ts';
import { silentLogger } from '../core/logger.ts';
import { openVault } from '../vault/vault.ts';
import { ActivityTags } from './activity-codec.ts';
import { ActivityJournal } from './activity-journal.ts';
import type { ActivityEntryInput } from './activity-log.ts';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const ALICE = '0x' + 'a1'.repeat(20);
const BOB = '0x' + 'b0'.repeat(20);
const APP = '0x' + 'cc'.repeat(20);
const owner = (i: number) => '0x' + i.toString(16).padStart(40, '0');

describeBothStores('activity log', (target) => {
  async function setup(opts: { coalesceMs?: number } = {}) {
    const fresh = await target.fresh();
    const store = await target.open({ dataDir: fresh.dataDir, databaseUrl: fresh.databaseUrl });
    const clock = new ManualClock(T0);
    const vault = await openVault({
      store, kek: randomBytes(32), keyringFile: join(fresh.dataDir, 'keys', 'vault-keyring.json'), clock,
      logger: silentLogger(), names: [], dedupRetentionDays: 30, compactIntervalMs: 0,
    });
    const journal = new ActivityJournal({ store, vault, clock, logger: silentLogger(), ...(opts.coalesceMs !== undefined ? { coalesceMs: opts.coalesceMs } : {}) });
    return { store, vault, clock, journal, dataDir: fresh.dataDir };
  }

  it('appends and lists with filters by kind, vehicle, app and time, paging with a cursor', async () => {
    const { journal } = await setup();
    const entries: ActivityEntryInput[] = [];
    for (let i = 0; i < 30; i++) {
      entries.push({
        owner: ALICE.toUpperCase().replace('0X', '0x'), kind: i % 3 === 0 ? 'read' : i % 3 === 1 ? 'collect' : 'stream', at: T0 + i * 60_000,
        vehicleId: i % 2 === 0 ? 7n : '8', app: i % 3 === 0 ? { licenseId: '5', address: APP, name: 'Fleet App' } : undefined,
        privileges: i % 3 === 0 ? [1, 6] : undefined, detail: { i, big: 12345678901234567890n },
      });
    }
    await journal.appendMany(entries);
    await journal.append({ owner: BOB, kind: 'grant', vehicleId: 9n, app: { address: APP }, privileges: [1] });

    const newest = await journal.list(ALICE, {});
    assert.equal(newest.entries.length, 30);
    assert.equal(newest.nextCursor, undefined);
    assert.deepEqual(newest.entries.map((e) => e.seq).slice(0, 3), [30, 29, 28], 'newest first by default');
    const first = newest.entries.at(-1)!;
    assert.deepEqual(first, {
      seq: 1, at: T0, kind: 'read', vehicleId: '7', app: { licenseId: '5', address: APP, name: 'Fleet App' },
      privileges: [1, 6], detail: { i: 0, big: '12345678901234567890' },
    });

    const reads = await journal.list(ALICE, { kinds: ['read'] });
    assert.equal(reads.entries.length, 10);
    assert.ok(reads.entries.every((e) => e.kind === 'read'));
    assert.equal((await journal.list(ALICE, { kinds: ['read', 'stream'] })).entries.length, 20);
    const car7 = await journal.list(ALICE, { vehicleId: 7n });
    assert.equal(car7.entries.length, 15);
    assert.ok(car7.entries.every((e) => e.vehicleId === '7'));
    assert.equal((await journal.list(ALICE, { app: '5' })).entries.length, 10, 'by license id');
    assert.equal((await journal.list(ALICE, { app: APP.toUpperCase().replace('0X', '0x') })).entries.length, 10, 'by grantee address, any case');
    assert.equal((await journal.list(ALICE, { app: '6' })).entries.length, 0);
    const window = await journal.list(ALICE, { from: T0 + 10 * 60_000, to: T0 + 20 * 60_000, order: 'asc' });
    assert.deepEqual(window.entries.map((e) => e.detail?.i), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const combined = await journal.list(ALICE, { kinds: ['read'], vehicleId: '7', from: T0 + 6 * 60_000 });
    assert.deepEqual(combined.entries.map((e) => e.detail?.i), [24, 18, 12, 6]);

    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await journal.list(ALICE, { limit: 7, order: 'asc', ...(cursor ? { cursor } : {}) });
      seen.push(...page.entries.map((e) => e.seq));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 5);
    assert.deepEqual(seen, Array.from({ length: 30 }, (_, i) => i + 1));

    const bob = await journal.list(BOB, {});
    assert.deepEqual(bob.entries.map((e) => [e.seq, e.kind]), [[1, 'grant']], 'each owner has their own chain');
    assert.deepEqual((await journal.list(owner(99), {})).entries, []);

    await assert.rejects(journal.append({ owner: 'alice', kind: 'read' }), { code: 'ODM_ERR_VALIDATION' });
    await assert.rejects(journal.append({ owner: ALICE, kind: 'peek' as never }), { code: 'ODM_ERR_VALIDATION' });
    await assert.rejects(journal.list(ALICE, { limit: 0 }), { code: 'ODM_ERR_VALIDATION' });
    await assert.rejects(journal.list(ALICE, { cursor: 'abc' }), { code: 'ODM_ERR_VALIDATION' });
  });

  it('verifies the chain and pins down tampering: edited ciphertext or column, deleted, reordered or truncated rows', async () => {
    const { store, vault, journal } = await setup();
    const victims = [1, 2, 3, 4, 5, 6].map(owner);
    for (const v of victims) await journal.appendMany(Array.from({ length: 6 }, (_, i) => ({ owner: v, kind: 'read' as const, vehicleId: 1n, detail: { i } })));
    for (const v of victims) assert.deepEqual(await journal.verify(v), { ok: true, entries: 6 });

    // One more entry each (seq 7), so truncating the tail leaves a chain that still links.
    for (const v of victims) await journal.append({ owner: v, kind: 'privacy', detail: { marker: true } });
    const tags = new ActivityTags(vault.keyring.secret('activity'));
    const tagOf = new Map(victims.map((v) => [v, tags.owner(v)]));
    const [editCt, deleteRow, reorder, truncate, editKind, dropHead] = victims as [string, string, string, string, string, string];

    // 1. one byte of one ciphertext
    const row3 = await store.db.selectFrom('activity_entries').selectAll().where('owner_tag', '=', tagOf.get(editCt)!).where('seq', '=', 3).executeTakeFirstOrThrow();
    const flipped = Buffer.from(row3.ct);
    flipped[flipped.length - 20]! ^= 0x01;
    await store.db.updateTable('activity_entries').set({ ct: flipped }).where('owner_tag', '=', tagOf.get(editCt)!).where('seq', '=', 3).execute();
    assert.deepEqual(await journal.verify(editCt), { ok: false, entries: 7, brokenAt: 3 });
    const shown = (await journal.list(editCt, { order: 'asc' })).entries;
    assert.deepEqual(shown[2], { seq: 3, at: T0, kind: 'read', unreadable: true }, 'the altered entry is flagged, the rest still read');
    assert.equal(shown[3]!.detail?.i, 3);

    // 2. a row deleted from the middle
    await store.db.deleteFrom('activity_entries').where('owner_tag', '=', tagOf.get(deleteRow)!).where('seq', '=', 4).execute();
    assert.deepEqual(await journal.verify(deleteRow), { ok: false, entries: 6, brokenAt: 4 });

    // 3. two rows swapped (renumbered)
    const t3 = tagOf.get(reorder)!;
    await store.db.updateTable('activity_entries').set({ seq: 100 }).where('owner_tag', '=', t3).where('seq', '=', 2).execute();
    await store.db.updateTable('activity_entries').set({ seq: 2 }).where('owner_tag', '=', t3).where('seq', '=', 5).execute();
    await store.db.updateTable('activity_entries').set({ seq: 5 }).where('owner_tag', '=', t3).where('seq', '=', 100).execute();
    assert.deepEqual(await journal.verify(reorder), { ok: false, entries: 7, brokenAt: 2 });

    // 4. the newest rows cut off
    await store.db.deleteFrom('activity_entries').where('owner_tag', '=', tagOf.get(truncate)!).where('seq', '>=', 6).execute();
    assert.deepEqual(await journal.verify(truncate), { ok: false, entries: 5, brokenAt: 6 });

    // 5. a plain filter column changed (the ciphertext is bound to it)
    await store.db.updateTable('activity_entries').set({ kind: 'collect' }).where('owner_tag', '=', tagOf.get(editKind)!).where('seq', '=', 2).execute();
    assert.deepEqual(await journal.verify(editKind), { ok: false, entries: 7, brokenAt: 2 });

    // 6. the tail cut and the head rewound to match, with a forged MAC: the head does not authenticate,
    //    and this node's own memory of the head disagrees anyway
    const t6 = tagOf.get(dropHead)!;
    const row6 = await store.db.selectFrom('activity_entries').selectAll().where('owner_tag', '=', t6).where('seq', '=', 6).executeTakeFirstOrThrow();
    await store.db.deleteFrom('activity_entries').where('owner_tag', '=', t6).where('seq', '=', 7).execute();
    await store.db.updateTable('activity_heads').set({ seq: 6, hash: row6.hash, mac: randomBytes(32) }).where('owner_tag', '=', t6).execute();
    assert.deepEqual(await journal.verify(dropHead), { ok: false, entries: 6, brokenAt: 6 });
  });

  it('continues an owner\'s chain after a restart (heads come back from the database)', async () => {
    const { store, vault, clock, journal } = await setup();
    await journal.appendMany([{ owner: ALICE, kind: 'read' }, { owner: ALICE, kind: 'stream' }]);
    await journal.close();
    await assert.rejects(journal.append({ owner: ALICE, kind: 'read' }), { code: 'ODM_ERR_UNAVAILABLE' });
    const again = new ActivityJournal({ store, vault, clock, logger: silentLogger() });
    await again.append({ owner: ALICE, kind: 'webhook' });
    assert.deepEqual((await again.list(ALICE, { order: 'asc' })).entries.map((e) => [e.seq, e.kind]), [[1, 'read'], [2, 'stream'], [3, 'webhook']]);
    assert.deepEqual(await again.verify(ALICE), { ok: true, entries: 3 });
  });

  it('keeps nothing readable at rest', async () => {
    const { store, journal, dataDir } = await setup();
    const SECRET = 'detail-needle-7f3a9c';
    await journal.append({ owner: ALICE, kind: 'read', vehicleId: 424242n, app: { name: 'Needle Insurance Co' }, detail: { note: SECRET } });
    const rows = await store.db.selectFrom('activity_entries').selectAll().execute();
    const heads = await store.db.selectFrom('activity_heads').selectAll().execute();
    const keys = await store.db.selectFrom('vault_keys').selectAll().where('kind', '=', 'owner').execute();
    const dump = JSON.stringify([rows, heads, keys], (_k, v: unknown) => (v && typeof v === 'object' && 'type' in v && (v as { type: string }).type === 'Buffer' ? Buffer.from((v as unknown as { data: number[] }).data).toString('latin1') : v));
    for (const needle of [SECRET, 'Needle Insurance', '424242', ALICE.slice(2)]) assert.ok(!dump.includes(needle), `${needle} in a row`);
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.owner, null, 'the owner key names no address');
    if (target.dialect === 'sqlite') {
      const files = readdirSync(dataDir).filter((f) => f.startsWith('opendimo.db'));
      assert.ok(files.length > 0);
      for (const f of files) {
        const bytes = readFileSync(join(dataDir, f));
        for (const needle of [SECRET, 'Needle Insurance', ALICE.slice(2)]) assert.ok(!bytes.includes(Buffer.from(needle)), `${needle} in ${f}`);
      }
    }
  });

  it('shreds an owner: rows and key gone, an earlier copy unreadable, other owners untouched, a fresh chain after', async () => {
    const { store, vault, journal } = await setup();
    await journal.appendMany([{ owner: ALICE, kind: 'read', detail: { n: 1 } }, { owner: ALICE, kind: 'export' }, { owner: BOB, kind: 'read' }]);
    // What a backup taken now would hold.
    const backupKey = await store.db.selectFrom('vault_keys').selectAll().where('kind', '=', 'owner').execute();
    assert.equal(backupKey.length, 2);
    await journal.shred(ALICE);
    assert.deepEqual((await journal.list(ALICE, {})).entries, []);
    assert.deepEqual(await journal.verify(ALICE), { ok: true, entries: 0 });
    const left = await store.db.selectFrom('vault_keys').selectAll().where('kind', '=', 'owner').execute();
    assert.equal(left.length, 1);
    const gone = backupKey.find((k) => k.key_ref !== left[0]!.key_ref)!;
    assert.throws(() => vault.keys.unwrap(gone.key_ref, gone.bucket, gone.bucket_version, gone.wrapped), { code: 'ODM_ERR_DECRYPT' }, 'its wrapping bucket key is erased');
    assert.equal((await store.db.selectFrom('activity_entries').select('seq').execute()).length, 1, 'only bob\'s row is left');
    assert.deepEqual((await journal.list(BOB, {})).entries.map((e) => e.kind), ['read']);
    assert.deepEqual(await journal.verify(BOB), { ok: true, entries: 1 });
    await journal.append({ owner: ALICE, kind: 'delete', detail: { what: 'account' } });
    assert.deepEqual((await journal.list(ALICE, {})).entries.map((e) => [e.seq, e.kind]), [[1, 'delete']]);
    assert.deepEqual(await journal.verify(ALICE), { ok: true, entries: 1 });
  });

  it('coalesces a burst of 1,000 appends into a few transactions, every entry present and in order', async () => {
    const { journal } = await setup();
    const before = journal.stats.transactions;
    const started = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) writes.push(journal.append({ owner: i % 4 === 0 ? BOB : ALICE, kind: 'read', vehicleId: BigInt(i % 5), app: { licenseId: '3' }, privileges: [1], detail: { i } }));
    await Promise.all(writes);
    const ms = performance.now() - started;
    const transactions = journal.stats.transactions - before;
    assert.ok(transactions <= 3, `${transactions} transactions for 1,000 appends`);
    const all: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await journal.list(ALICE, { order: 'asc', limit: 500, ...(cursor ? { cursor } : {}) });
      all.push(...page.entries.map((e) => e.detail!.i as number));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 4 !== 0));
    assert.deepEqual(await journal.verify(ALICE), { ok: true, entries: 750 });
    assert.deepEqual(await journal.verify(BOB), { ok: true, entries: 250 });
    assert.ok(ms < 5000, `burst took ${ms.toFixed(0)} ms`);
  });
});
