// Per-vehicle (per owner epoch) and per-location-stream data keys. Each is a random 256-bit key stored
// wrapped (AES-256-GCM, key reference as associated data) by its keyring bucket key. Unwrapped keys are
// cached as KeyObjects, bounded, least recently created out first. On PostgreSQL new keys are wrapped
// in step with bucket rotations by other processes (keyring-sync.ts).
import { randomFillSync, type KeyObject } from 'node:crypto';
import { OdmError } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import type { Kysely, Transaction } from 'kysely';
import { kyselySql, type VaultSql } from './vault-sql.ts';
import { KEY_BYTES, open, seal, toKey } from './aead.ts';
import type { Keyring } from './keyring.ts';
import { joinKeyring } from './keyring-sync.ts';

export interface KeySpec {
  ref: string;
  /** `owner`: a per-owner key (the activity log); like location keys it names nothing but its ref. */
  kind: 'vehicle' | 'location' | 'owner';
  vehicleId?: string;
  version?: number;
  owner?: string;
}

// Fresh keys come from one random fill per 256 keys (a call per key costs more than the key's use).
let pool = Buffer.alloc(0);
let at = 0;
function randomKey(): Buffer {
  if (at >= pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(KEY_BYTES * 256));
    at = 0;
  }
  const k = Buffer.from(pool.subarray(at, at + KEY_BYTES));
  pool.fill(0, at, at + KEY_BYTES);
  at += KEY_BYTES;
  return k;
}

export function vehicleKeyRef(vehicleId: string, version: number): string {
  return `v:${vehicleId}:${version}`;
}

export function locationKeyRef(streamId: string): string {
  return `l:${streamId}`;
}

export function wrapAad(ref: string, bucket: number, version: number): string {
  return `vault_keys/${ref}/${bucket}/${version}`;
}

export class DataKeys {
  readonly #keyring: Keyring;
  readonly #cache = new Map<string, KeyObject>();
  readonly #max: number;

  constructor(keyring: Keyring, options: { cacheSize?: number } = {}) {
    this.#keyring = keyring;
    this.#max = options.cacheSize ?? 20_000;
  }

  #remember(ref: string, key: KeyObject): void {
    if (this.#cache.size >= this.#max) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(ref, key);
  }

  forget(refs: Iterable<string>): void {
    for (const r of refs) this.#cache.delete(r);
  }

  /** A bucket version newer than the keyring knows (rotated by another process) reloads the keyring. */
  unwrap(ref: string, bucket: number, version: number, wrapped: Uint8Array): KeyObject {
    const bucketKey = this.#keyring.bucketKey(bucket, version);
    if (!bucketKey) throw new OdmError('ODM_ERR_DECRYPT', `data key ${ref} is wrapped by a destroyed bucket key`);
    return toKey(open(bucketKey, wrapped, wrapAad(ref, bucket, version)));
  }

  /**
   * The keys for `specs`; with `create`, missing ones are generated and inserted through `via` (bound to
   * the transaction that writes what they encrypt). Without `create`, missing keys are absent from the map.
   */
  async getMany(via: VaultSql | Kysely<Database> | Transaction<Database>, specs: KeySpec[], create: boolean): Promise<Map<string, KeyObject>> {
    // A Kysely instance or transaction is accepted too (through Kysely on either dialect).
    const db = 'selectFrom' in via ? via : undefined;
    const sql = db ? kyselySql(db) : (via as VaultSql);
    const prepared = await this.prepare(sql, specs, create);
    if (prepared.rows.length > 0) await this.#insert(sql, prepared, db);
    return prepared.keys;
  }

  /**
   * Looks the keys up and, with `create`, makes the missing ones without storing them: the caller
   * inserts `rows` with insert() inside the transaction that writes what the new keys encrypt.
   */
  async prepare(sql: VaultSql, specs: KeySpec[], create: boolean): Promise<PreparedKeys> {
    const found = new Map<string, KeyObject>();
    const missing: KeySpec[] = [];
    for (const s of specs) {
      const hit = this.#cache.get(s.ref);
      if (hit) found.set(s.ref, hit);
      else if (!found.has(s.ref)) missing.push(s);
    }
    if (missing.length === 0) return { keys: found, rows: [] };
    for (const r of await sql.keys(missing.map((s) => s.ref))) {
      const key = this.unwrap(r.key_ref, r.bucket, r.bucket_version, r.wrapped);
      found.set(r.key_ref, key);
      this.#remember(r.key_ref, key);
    }
    const rows: Database['vault_keys'][] = [];
    if (!create) return { keys: found, rows };
    const unique = new Map(missing.filter((s) => !found.has(s.ref)).map((s) => [s.ref, s]));
    for (const s of unique.values()) {
      const raw = randomKey();
      const bucket = this.#keyring.bucketOf(s.ref);
      const { version, key: bucketKey } = this.#keyring.currentBucketKey(bucket);
      rows.push({
        key_ref: s.ref,
        kind: s.kind,
        vehicle_id: s.kind === 'vehicle' ? (s.vehicleId ?? null) : null,
        owner_version: s.kind === 'vehicle' ? (s.version ?? null) : null,
        owner: s.kind === 'vehicle' ? (s.owner ?? null) : null,
        bucket,
        bucket_version: version,
        wrapped: seal(bucketKey, raw, wrapAad(s.ref, bucket, version)),
      });
      const key = toKey(raw);
      raw.fill(0);
      found.set(s.ref, key);
    }
    return { keys: found, rows };
  }

  /**
   * Stores the new keys of prepare(). If another writer stored a key under the same reference first,
   * throws ODM_ERR_KEY_RACE: the caller's transaction must roll back (its data is encrypted under the
   * key that lost) and be retried.
   */
  async insert(sql: VaultSql, prepared: PreparedKeys): Promise<void> {
    await this.#insert(sql, prepared, undefined);
  }

  async #insert(sql: VaultSql, prepared: PreparedKeys, via: Kysely<Database> | Transaction<Database> | undefined): Promise<void> {
    // The statements' own Kysely handle (the transaction), where they expose it as `db`.
    const db = via ?? sql.db;
    if (db) {
      // Holds off a rotation until this commits; a rotation that committed since prepare() replaced
      // the bucket key these were wrapped under, so they are wrapped again under the current one.
      await joinKeyring(db, this.#keyring);
      for (const r of prepared.rows) {
        const { version, key: bucketKey } = this.#keyring.currentBucketKey(r.bucket);
        if (version === r.bucket_version) continue;
        const raw = prepared.keys.get(r.key_ref)!.export();
        r.bucket_version = version;
        r.wrapped = seal(bucketKey, raw, wrapAad(r.key_ref, r.bucket, version));
        raw.fill(0);
      }
    }
    // Vehicle keys first, then location keys in stream order, so row order does not pair them up.
    const rows = [...prepared.rows].sort((a, b) => (a.kind === b.kind ? (a.kind === 'location' ? (a.key_ref < b.key_ref ? -1 : 1) : 0) : a.kind === 'vehicle' ? -1 : 1));
    const inserted = await sql.insertKeys(rows);
    if (inserted !== prepared.rows.length) {
      throw new OdmError('ODM_ERR_KEY_RACE', 'a data key was created concurrently; retry', { retryable: true });
    }
    for (const r of prepared.rows) this.#remember(r.key_ref, prepared.keys.get(r.key_ref)!);
  }
}

export interface PreparedKeys {
  keys: Map<string, KeyObject>;
  /** New key rows to insert (empty when every key existed). */
  rows: Database['vault_keys'][];
}
