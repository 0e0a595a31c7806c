// One vault keyring shared by several processes on one PostgreSQL database (cluster mode): each test
// opens two vaults (A and B, as two processes would) on one database and one keyring file. A rotation
// in one (a crypto-shredding delete) must never leave the other wrapping new data keys under the
// erased bucket key, nor writing log rows under an erased log-epoch key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { DataKeys, locationKeyRef, type KeySpec } from '../src/vault/data-keys.ts';
import { Keyring } from '../src/vault/keyring.ts';
import { openVault, type Vault } from '../src/vault/vault.ts';
import { kyselySql } from '../src/vault/vault-sql.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let pg: TestPostgres | { skipped: string };
const dirs: string[] = [];
const stores: Store[] = [];
const vaults: Vault[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  for (const v of vaults) await v.close();
  for (const s of stores) await s.close();
  if (!('skipped' in pg)) await pg.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function twoProcesses(): Promise<{ a: Vault; b: Vault; sa: Store; sb: Store; keyringFile: string; kek: Buffer }> {
  const server = pg as TestPostgres;
  const databaseUrl = await server.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-keyring-'));
  dirs.push(dir);
  const keyringFile = join(dir, 'shared', 'vault-keyring.json');
  const kek = randomBytes(32);
  const open = async (name: string) => {
    const store = await openStore({ dataDir: join(dir, name), databaseUrl, logger: silentLogger() });
    stores.push(store);
    return store;
  };
  const [sa, sb] = await Promise.all([open('a'), open('b')]);
  const options = { kek, keyringFile, clock: systemClock, logger: silentLogger(), names: ['speed'], dedupRetentionDays: 30, compactIntervalMs: 0 };
  // Both first starts at once: one creates the keyring file, the other loads it.
  const [a, b] = await Promise.all([openVault({ ...options, store: sa }), openVault({ ...options, store: sb })]);
  vaults.push(a, b);
  return { a, b, sa, sb, keyringFile, kek };
}

/** `n` location key refs that fall in `bucket`. */
function refsIn(keyring: Keyring, bucket: number, n: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const ref = locationKeyRef(`${prefix}-${i}`);
    if (keyring.bucketOf(ref) === bucket) out.push(ref);
  }
  return out;
}

const spec = (ref: string): KeySpec => ({ ref, kind: 'location' });
const raw = (k: { export(): Buffer } | undefined) => k?.export().toString('hex');

describe('a keyring shared by two processes on one PostgreSQL database', () => {
  it('rotation in A; then B creates and reads data keys in that bucket, and the erased key is gone', async (t) => {
    if ('skipped' in pg) return t.skip(pg.skipped);
    const { a, b, sa, sb, keyringFile, kek } = await twoProcesses();
    assert.equal(a.keyring.id, b.keyring.id, 'both processes use the one keyring file');

    const bucket = a.keyring.bucketOf(locationKeyRef('victim'));
    const [victim, keep, later] = [locationKeyRef('victim'), ...refsIn(a.keyring, bucket, 2, 'other')];
    const made = await a.keys.getMany(sa.db, [spec(victim!), spec(keep!)], true);
    assert.equal(raw((await b.keys.getMany(sb.db, [spec(keep!)], false)).get(keep!)), raw(made.get(keep!)), 'B reads what A wrapped');
    const before = await sa.db.selectFrom('vault_keys').selectAll().where('key_ref', '=', victim!).executeTakeFirstOrThrow();
    const oldVersion = before.bucket_version;
    const generationB = b.keyring.generation;

    // A crypto-shreds the victim: its bucket gets a new key and the old one is erased from the file.
    await a.shredder.shredKeys([victim!], async () => 0);
    const newVersion = a.keyring.currentBucketKey(bucket).version;
    assert.ok(newVersion > oldVersion);
    assert.equal(b.keyring.generation, generationB, 'B has not looked at the file yet');

    // B creates a key in that bucket: wrapped under the new bucket key, never the erased one.
    const created = await b.keys.getMany(sb.db, [spec(later!)], true);
    const row = await sb.db.selectFrom('vault_keys').selectAll().where('key_ref', '=', later!).executeTakeFirstOrThrow();
    assert.equal(row.bucket_version, newVersion);
    assert.equal(raw((await new DataKeys(a.keyring).getMany(sa.db, [spec(later!)], false)).get(later!)), raw(created.get(later!)), 'A reads what B wrapped');
    // B reads the key A re-wrapped, through a fresh cache.
    assert.equal(raw((await new DataKeys(b.keyring).getMany(sb.db, [spec(keep!)], false)).get(keep!)), raw(made.get(keep!)));

    // Crypto-shredding holds: the victim's key row as an earlier copy of the database held it cannot be
    // unwrapped with the keyring file as it is now, by either process or a fresh one.
    const fresh = Keyring.open(keyringFile, kek, { create: false });
    for (const ring of [fresh, b.keyring, a.keyring]) {
      assert.equal(ring.bucketKey(bucket, oldVersion), undefined);
      assert.throws(() => new DataKeys(ring).unwrap(victim!, bucket, oldVersion, before.wrapped), /destroyed bucket key/);
    }
  });

  it('a data key created in B while A rotates its bucket is re-wrapped by the rotation, not lost', async (t) => {
    if ('skipped' in pg) return t.skip(pg.skipped);
    const { a, b, sa, sb } = await twoProcesses();
    const victim = locationKeyRef('victim');
    const bucket = a.keyring.bucketOf(victim);
    const [early, prepared] = refsIn(a.keyring, bucket, 2, 'b');
    await a.keys.getMany(sa.db, [spec(victim)], true);
    b.keyring.currentBucketKey(bucket);

    // B's transaction creates a key (holding the keyring lock shared) and stays open while A shreds.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let bKey: string | undefined;
    let bCommitted = 0;
    const bTrx = sb.db.transaction().execute(async (trx) => {
      bKey = raw((await b.keys.getMany(trx, [spec(early!)], true)).get(early!));
      await held;
    }).then(() => (bCommitted = performance.now()));
    await new Promise((r) => setTimeout(r, 100));
    const shred = a.shredder.shredKeys([victim], async () => 0).then(() => performance.now());
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [, shredDone] = await Promise.all([bTrx, shred]);
    assert.ok(shredDone >= bCommitted, 'the rotation waited for B to commit');
    const version = a.keyring.currentBucketKey(bucket).version;
    const row = await sa.db.selectFrom('vault_keys').selectAll().where('key_ref', '=', early!).executeTakeFirstOrThrow();
    assert.equal(row.bucket_version, version, 'B\'s key was re-wrapped under the new bucket key');
    assert.equal(raw((await new DataKeys(a.keyring).getMany(sa.db, [spec(early!)], false)).get(early!)), bKey);

    // Keys prepared in B before the rotation but stored after it are wrapped again under the new key
    // (through statements that expose their Kysely handle, as the PostgreSQL ones do).
    const stale = await b.keys.prepare(kyselySql(sb.db), [spec(prepared!)], true);
    await a.shredder.shredKeys([early!], async () => 0);
    await sb.db.transaction().execute((trx) => b.keys.insert({ ...kyselySql(trx), db: trx } as ReturnType<typeof kyselySql>, stale));
    const after = await sa.db.selectFrom('vault_keys').selectAll().where('key_ref', '=', prepared!).executeTakeFirstOrThrow();
    assert.equal(after.bucket_version, a.keyring.currentBucketKey(bucket).version);
    assert.equal(raw((await new DataKeys(a.keyring).getMany(sa.db, [spec(prepared!)], false)).get(prepared!)), raw(stale.keys.get(prepared!)));
  });

  it('a new log epoch started in A is the one B writes under next', async (t) => {
    if ('skipped' in pg) return t.skip(pg.skipped);
    const { a, b } = await twoProcesses();
    const epoch = a.keyring.startLogEpoch(Date.now());
    const { epoch: seen, key } = b.keyring.logKey();
    assert.equal(seen, epoch);
    assert.equal(key.export().toString('hex'), a.keyring.logKeyFor(epoch)!.export().toString('hex'));
    // Changes from both sides are kept (read-modify-write under the lock file).
    b.keyring.dropLogEpoch(epoch - 1);
    const next = a.keyring.startLogEpoch(Date.now());
    assert.deepEqual(a.keyring.logEpochs(), [next - 1, next]);
  });
});

describe('the keyring file', () => {
  it('is created once when several processes start at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opendimo-keyring-race-'));
    dirs.push(dir);
    const path = join(dir, 'vault-keyring.json');
    const kek = randomBytes(32);
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.module).then(({ Keyring }) => {
        parentPort.postMessage('ready');
        Atomics.wait(new Int32Array(workerData.go), 0, 0);
        parentPort.postMessage(Keyring.open(workerData.path, Buffer.from(workerData.kek, 'hex'), { create: true }).id);
      });
    `;
    const go = new SharedArrayBuffer(4);
    const module = new URL('../src/vault/keyring.ts', import.meta.url).href;
    const workers = Array.from({ length: 4 }, () => new Worker(code, { eval: true, workerData: { module, path, kek: kek.toString('hex'), go } }));
    const message = (w: Worker) => new Promise<string>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
    await Promise.all(workers.map(message));
    const ids = workers.map(message);
    Atomics.store(new Int32Array(go), 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    const got = await Promise.all(ids);
    await Promise.all(workers.map((w) => w.terminate()));
    assert.equal(new Set(got).size, 1, 'every process ended up with the same keyring');
    assert.equal(Keyring.open(path, kek, { create: false }).id, got[0]);
  });
});
