// Crypto-shredding: deleting a vehicle's (or an owner's) data destroys the keys and the ciphertext.
//  1. A new log epoch starts and every log row of older epochs is compacted, so nothing of the vehicle
//     is left under a shared log key; those epoch keys are then erased from the keyring.
//  2. In one transaction the vehicle's chunks, latest values, location stream and privacy settings are
//     deleted with their data keys, and every other data key in the affected keyring buckets is
//     re-wrapped under a fresh bucket key.
//  3. The old bucket keys are erased from the keyring file.
// After step 3 even a copy of the database taken before the delete cannot be read with the node's keys:
// the vehicle's data keys in it are wrapped by bucket keys that no longer exist anywhere.
// On PostgreSQL the rotation transactions hold the keyring lock exclusively (keyring-sync.ts), so other
// processes sharing the keyring never wrap a new data key under a bucket key about to be erased.
import type { Transaction } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { seal } from './aead.ts';
import type { Compactor } from './compactor.ts';
import { locationKeyRef, vehicleKeyRef, wrapAad, type DataKeys } from './data-keys.ts';
import type { Keyring } from './keyring.ts';
import { publishKeyring } from './keyring-sync.ts';
import type { Pseudonyms } from './pseudonyms.ts';

export interface ShredReport {
  vehicles: number;
  keys: number;
  rows: number;
}

export interface ShredderOptions {
  store: Store;
  keyring: Keyring;
  dataKeys: DataKeys;
  pseudonyms: Pseudonyms;
  compactor: Compactor;
  clock: Clock;
  logger: Logger;
}

const PAGE = 400;

export class Shredder {
  readonly #o: ShredderOptions;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #listeners: Array<(vehicleId: string, versions: number[], elsewhere: boolean) => void> = [];

  constructor(options: ShredderOptions) {
    this.#o = options;
  }

  /**
   * Tells `fn` which (vehicle, owner epochs) were shredded, so cached state goes too; `elsewhere` when
   * another process of the cluster shredded them (forgetShreddedElsewhere).
   */
  onShredded(fn: (vehicleId: string, versions: number[], elsewhere: boolean) => void): void {
    this.#listeners.push(fn);
  }

  /** Another process shredded these epochs: drop the cached data keys and tell the listeners. */
  forgetShreddedElsewhere(vehicleId: string, versions: number[]): void {
    const refs = versions.flatMap((v) => [vehicleKeyRef(vehicleId, v), locationKeyRef(this.#o.pseudonyms.streamId(vehicleId, v))]);
    this.#o.dataKeys.forget(refs);
    for (const fn of this.#listeners) fn(vehicleId, versions, true);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.catch(() => undefined).then(fn);
    this.#chain = run;
    return run;
  }

  /** Deletes everything stored for the vehicle (all owner epochs, or only `versions`). */
  shredVehicle(vehicleId: string, versions?: number[]): Promise<ShredReport> {
    return this.#serial(() => this.#shred([{ vehicleId, versions }]));
  }

  /** Deletes every vehicle epoch the owner held. */
  shredOwner(owner: string): Promise<ShredReport> {
    return this.#serial(async () => {
      const rows = await this.#o.store.db.selectFrom('vault_keys').select(['vehicle_id', 'owner_version']).where('owner', '=', owner.toLowerCase()).execute();
      const byVehicle = new Map<string, number[]>();
      for (const r of rows) if (r.vehicle_id !== null && r.owner_version !== null) byVehicle.set(r.vehicle_id, [...(byVehicle.get(r.vehicle_id) ?? []), r.owner_version]);
      return this.#shred([...byVehicle].map(([vehicleId, versions]) => ({ vehicleId, versions })));
    });
  }

  /**
   * Crypto-shreds data keys that belong to no vehicle (an owner's activity-log key): in one transaction
   * `deleteRows` removes what they encrypt, the keys are deleted and every other key in their buckets is
   * re-wrapped under a fresh bucket key; the old bucket keys are then erased, as for vehicles.
   */
  shredKeys(refs: string[], deleteRows: (trx: Transaction<Database>) => Promise<number>): Promise<ShredReport> {
    return this.#serial(async () => {
      const { store, keyring, dataKeys } = this.#o;
      const found = refs.length === 0 ? [] : await store.db.selectFrom('vault_keys').select(['key_ref', 'bucket']).where('key_ref', 'in', refs).execute();
      const rotated = [...new Set(found.map((r) => r.bucket))].map((b) => ({ bucket: b, to: 0 }));
      for (const r of rotated) keyring.addBucketVersion(r.bucket);
      const rows = await this.#securely(() => store.db.transaction().execute(async (trx) => {
        await publishKeyring(trx, keyring, this.#o.clock.now());
        const n = await deleteRows(trx);
        return n + (await this.#dropKeysAndRewrap(trx, refs, rotated));
      }));
      await this.#dropOlder(rotated);
      dataKeys.forget(refs);
      return { vehicles: 0, keys: found.length, rows };
    });
  }

  /** SQLite: deleted pages are zeroed, and the WAL is emptied afterwards, so no old frame lingers. */
  async #securely<T>(fn: () => Promise<T>): Promise<T> {
    const { store } = this.#o;
    const sqlite = store.sqlite;
    if (sqlite) await store.db.connection().execute(async () => void sqlite.pragma('secure_delete = ON'));
    try {
      return await fn();
    } finally {
      if (sqlite) {
        await store.db.connection().execute(async () => {
          sqlite.pragma('secure_delete = OFF');
          sqlite.pragma('wal_checkpoint(TRUNCATE)');
        });
      }
    }
  }

  /** Deletes the data keys and re-wraps the rest of their buckets under the new bucket keys; returns rows deleted. */
  async #dropKeysAndRewrap(trx: Transaction<Database>, refs: string[], rotated: Array<{ bucket: number; to: number }>): Promise<number> {
    let n = 0;
    for (let i = 0; i < refs.length; i += PAGE) {
      n += Number((await trx.deleteFrom('vault_keys').where('key_ref', 'in', refs.slice(i, i + PAGE)).executeTakeFirst()).numDeletedRows);
    }
    for (const r of rotated) r.to = await this.#rewrap(trx, r.bucket);
    return n;
  }

  /** Finishes bucket rotations a crash interrupted (run at start). */
  recover(): Promise<void> {
    return this.#serial(async () => {
      for (let b = 0; b < 256; b++) {
        if (this.#o.keyring.staleBucketVersions(b).length === 0) continue;
        this.#o.logger.warn({ bucket: b }, 'finishing an interrupted key rotation');
        const to = await this.#o.store.db.transaction().execute(async (trx) => {
          await publishKeyring(trx, this.#o.keyring, this.#o.clock.now());
          return this.#rewrap(trx, b);
        });
        await this.#dropOlder([{ bucket: b, to }]);
      }
    });
  }

  /**
   * Erases the bucket versions older than the one each bucket was re-wrapped to (another process may
   * have rotated the same bucket meanwhile: its newer version stays), then publishes the change.
   */
  async #dropOlder(rotated: Array<{ bucket: number; to: number }>): Promise<void> {
    if (rotated.length === 0) return;
    const { keyring } = this.#o;
    keyring.reloadIfChanged();
    for (const r of rotated) for (const v of keyring.staleBucketVersions(r.bucket)) if (v < r.to) keyring.dropBucketVersion(r.bucket, v);
    await this.#publish();
  }

  /** Records the keyring's generation, so other processes reload it (and forget erased keys). */
  async #publish(): Promise<void> {
    if (this.#o.store.dialect !== 'postgres') return;
    await this.#o.store.db.transaction().execute((trx) => publishKeyring(trx, this.#o.keyring, this.#o.clock.now()));
  }

  /** Re-wraps every key of the bucket under its current key; returns that key's version. */
  async #rewrap(trx: Transaction<Database>, bucket: number): Promise<number> {
    const { version, key } = this.#o.keyring.currentBucketKey(bucket);
    const rows = await trx.selectFrom('vault_keys').select(['key_ref', 'bucket_version', 'wrapped']).where('bucket', '=', bucket).where('bucket_version', '<>', version).execute();
    for (const r of rows) {
      const dek = this.#o.dataKeys.unwrap(r.key_ref, bucket, r.bucket_version, r.wrapped).export();
      const wrapped = seal(key, dek, wrapAad(r.key_ref, bucket, version));
      dek.fill(0);
      await trx.updateTable('vault_keys').set({ bucket_version: version, wrapped }).where('key_ref', '=', r.key_ref).execute();
    }
    return version;
  }

  async #shred(targets: Array<{ vehicleId: string; versions: number[] | undefined }>): Promise<ShredReport> {
    const { store, keyring, compactor, clock, pseudonyms, dataKeys } = this.#o;
    const report: ShredReport = { vehicles: targets.length, keys: 0, rows: 0 };
    if (targets.length === 0) return report;

    // 1. Nothing of these vehicles may stay under a shared log-epoch key.
    const epoch = keyring.startLogEpoch(clock.now());
    await this.#publish();
    await compactor.drain(epoch - 1);
    await compactor.maintain();

    // 2. What to delete.
    const refs: string[] = [];
    const buckets = new Set<number>();
    const streams: string[] = [];
    const done: Array<{ vehicleId: string; versions: number[] }> = [];
    for (const t of targets) {
      let q = store.db.selectFrom('vault_keys').select(['key_ref', 'owner_version', 'bucket']).where('vehicle_id', '=', t.vehicleId);
      if (t.versions) q = q.where('owner_version', 'in', t.versions.length > 0 ? t.versions : [-1]);
      const rows = await q.execute();
      const versions = t.versions ?? [...new Set(rows.map((r) => r.owner_version!))];
      for (const r of rows) {
        refs.push(r.key_ref);
        buckets.add(r.bucket);
      }
      for (const v of versions) {
        const streamId = pseudonyms.streamId(t.vehicleId, v);
        streams.push(streamId);
        const loc = await store.db.selectFrom('vault_keys').select(['key_ref', 'bucket']).where('key_ref', '=', locationKeyRef(streamId)).executeTakeFirst();
        if (loc) {
          refs.push(loc.key_ref);
          buckets.add(loc.bucket);
        }
      }
      done.push({ vehicleId: t.vehicleId, versions });
    }
    report.keys = refs.length;

    // New bucket keys are persisted before anything is re-wrapped under them.
    const rotated = [...buckets].map((b) => ({ bucket: b, to: 0 }));
    for (const r of rotated) keyring.addBucketVersion(r.bucket);

    // Between compaction runs: a run in flight must not write under keys this deletes.
    report.rows = await this.#securely(() => compactor.exclusive(() => store.db.transaction().execute(async (trx) => {
      await publishKeyring(trx, keyring, clock.now());
      let rows = 0;
      for (const d of done) {
        const versions = d.versions.length > 0 ? d.versions : [-1];
        const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
        rows += count(await trx.deleteFrom('vault_chunks').where('vehicle_id', '=', d.vehicleId).where('owner_version', 'in', versions).executeTakeFirst());
        rows += count(await trx.deleteFrom('vault_latest').where('vehicle_id', '=', d.vehicleId).where('owner_version', 'in', versions).executeTakeFirst());
        rows += count(await trx.deleteFrom('privacy_settings').where('vehicle_id', '=', d.vehicleId).where('owner_version', 'in', versions).executeTakeFirst());
      }
      for (let i = 0; i < streams.length; i += PAGE) {
        const page = streams.slice(i, i + PAGE);
        rows += Number((await trx.deleteFrom('vault_location_chunks').where('stream_id', 'in', page).executeTakeFirst()).numDeletedRows);
        rows += Number((await trx.deleteFrom('vault_location_latest').where('stream_id', 'in', page).executeTakeFirst()).numDeletedRows);
      }
      return rows + (await this.#dropKeysAndRewrap(trx, refs, rotated));
    })));

    // 3. The old bucket keys are gone for good.
    await this.#dropOlder(rotated);
    dataKeys.forget(refs);
    for (const d of done) for (const fn of this.#listeners) fn(d.vehicleId, d.versions, false);
    this.#o.logger.info({ vehicles: report.vehicles, keys: report.keys, rows: report.rows }, 'vehicle data crypto-shredded');
    return report;
  }
}
