// The vault keyring: the key material that lives outside the database, so that destroying a key here
// makes the matching rows unreadable even in a copy of the database taken earlier.
//
//   KEK (key file) ──seals──▶ 256 bucket keys ──wrap──▶ per-vehicle and per-location-stream data keys (DB)
//                  └─seals──▶ log-epoch keys   ──encrypt─▶ the append log (DB, short-lived)
//
// Deleting a vehicle rotates its bucket: the bucket's other data keys are re-wrapped under a new
// bucket key and the old one is erased from this file. Log-epoch keys are erased once every log row
// under them has been compacted. The file is rewritten atomically (temp file, fsync, rename).
// One node process owns the file (the data-dir lock); a cluster needs a shared KMS-backed keyring.
import { hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OdmError } from '../core/errors.ts';
import { KEY_BYTES, open, seal, toKey } from './aead.ts';
import { keyedHash } from './keyed-hash.ts';

export const BUCKETS = 256;

interface SealedKey {
  v: number;
  key: string;
}

interface KeyringFile {
  format: 1;
  /** Random id, also recorded in the database, so a keyring never meets a database it did not serve. */
  id: string;
  buckets: SealedKey[][];
  log: Array<SealedKey & { createdAt: number }>;
}

export type SecretPurpose = 'stream-id' | 'dedup' | 'bucket' | 'chunk-tag' | 'activity';

export class Keyring {
  readonly path: string;
  readonly id: string;
  readonly #kek: KeyObject;
  readonly #kekRaw: Buffer;
  #file: KeyringFile;
  readonly #bucketKeys = new Map<string, KeyObject>();
  readonly #logKeys = new Map<number, KeyObject>();
  readonly #secrets = new Map<SecretPurpose, Buffer>();

  private constructor(path: string, kek: Buffer, file: KeyringFile) {
    this.path = path;
    this.#kekRaw = kek;
    this.#kek = toKey(kek);
    this.#file = file;
    this.id = file.id;
  }

  /** Loads the keyring, or creates it when `create` allows (a database that has never used one). */
  static open(path: string, kek: Buffer, options: { create: boolean }): Keyring {
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read the vault keyring ${path}`, { cause: err });
      }
    }
    if (text === undefined) {
      if (!options.create) {
        throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${path} is missing but the database holds data encrypted under it; restore the file (stored data cannot be read without it)`, { details: { path } });
      }
      const file: KeyringFile = { format: 1, id: randomBytes(16).toString('hex'), buckets: [], log: [] };
      const ring = new Keyring(path, kek, file);
      for (let b = 0; b < BUCKETS; b++) file.buckets.push([ring.#sealNew(`bucket/${b}/1`, 1)]);
      file.log.push({ ...ring.#sealNew('log/1', 1), createdAt: Date.now() });
      ring.#persist();
      return ring;
    }
    let file: KeyringFile;
    try {
      file = JSON.parse(text) as KeyringFile;
      if (file.format !== 1 || file.buckets.length !== BUCKETS || file.log.length === 0) throw new Error('unexpected layout');
    } catch (cause) {
      throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${path} is not a keyring file`, { cause, details: { path } });
    }
    const ring = new Keyring(path, kek, file);
    try {
      ring.logKey();
    } catch (cause) {
      throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${path} does not open with this node's key-encryption key`, { cause, details: { path } });
    }
    return ring;
  }

  #sealNew(label: string, v: number): SealedKey {
    return { v, key: seal(this.#kek, randomBytes(KEY_BYTES), `keyring/${this.#file.id}/${label}`).toString('base64') };
  }

  #unseal(label: string, sealed: SealedKey): KeyObject {
    return toKey(open(this.#kek, Buffer.from(sealed.key, 'base64'), `keyring/${this.#file.id}/${label}`));
  }

  #persist(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.#file));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    const dir = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /** A secret derived from the KEK for one purpose (keyed hashes); never stored. */
  secret(purpose: SecretPurpose): Buffer {
    let s = this.#secrets.get(purpose);
    if (!s) {
      s = Buffer.from(hkdfSync('sha256', this.#kekRaw, Buffer.from('opendimo-vault'), Buffer.from(purpose), 32));
      this.#secrets.set(purpose, s);
    }
    return s;
  }

  /** Which bucket wraps the data key `keyRef`. */
  bucketOf(keyRef: string): number {
    return keyedHash(this.secret('bucket'), keyRef)[0]!;
  }

  currentBucketKey(bucket: number): { version: number; key: KeyObject } {
    const versions = this.#file.buckets[bucket]!;
    const newest = versions[versions.length - 1]!;
    return { version: newest.v, key: this.bucketKey(bucket, newest.v)! };
  }

  bucketKey(bucket: number, version: number): KeyObject | undefined {
    const cacheKey = `${bucket}/${version}`;
    let key = this.#bucketKeys.get(cacheKey);
    if (!key) {
      const sealed = this.#file.buckets[bucket]?.find((k) => k.v === version);
      if (!sealed) return undefined;
      key = this.#unseal(`bucket/${bucket}/${version}`, sealed);
      this.#bucketKeys.set(cacheKey, key);
    }
    return key;
  }

  /** Bucket versions other than the current one (left by an interrupted rotation). */
  staleBucketVersions(bucket: number): number[] {
    const versions = this.#file.buckets[bucket]!;
    return versions.slice(0, -1).map((k) => k.v);
  }

  /** Adds a new current key to the bucket and persists it; returns the new version. */
  addBucketVersion(bucket: number): number {
    const versions = this.#file.buckets[bucket]!;
    const v = versions[versions.length - 1]!.v + 1;
    versions.push(this.#sealNew(`bucket/${bucket}/${v}`, v));
    this.#persist();
    return v;
  }

  /** Erases one bucket key version for good. */
  dropBucketVersion(bucket: number, version: number): void {
    const versions = this.#file.buckets[bucket]!;
    const next = versions.filter((k) => k.v !== version);
    if (next.length === 0) throw new OdmError('ODM_ERR_INTERNAL', 'a bucket keeps at least one key');
    this.#file.buckets[bucket] = next;
    this.#bucketKeys.delete(`${bucket}/${version}`);
    this.#persist();
  }

  /** The key new log rows are written under. */
  logKey(): { epoch: number; key: KeyObject } {
    const newest = this.#file.log[this.#file.log.length - 1]!;
    return { epoch: newest.v, key: this.logKeyFor(newest.v)! };
  }

  logKeyCreatedAt(): number {
    return this.#file.log[this.#file.log.length - 1]!.createdAt;
  }

  logKeyFor(epoch: number): KeyObject | undefined {
    let key = this.#logKeys.get(epoch);
    if (!key) {
      const sealed = this.#file.log.find((k) => k.v === epoch);
      if (!sealed) return undefined;
      key = this.#unseal(`log/${epoch}`, sealed);
      this.#logKeys.set(epoch, key);
    }
    return key;
  }

  logEpochs(): number[] {
    return this.#file.log.map((k) => k.v);
  }

  /** Starts a new log epoch (persisted before anything is written under it). */
  startLogEpoch(now: number): number {
    const v = this.#file.log[this.#file.log.length - 1]!.v + 1;
    this.#file.log.push({ ...this.#sealNew(`log/${v}`, v), createdAt: now });
    this.#persist();
    return v;
  }

  /** Erases a log-epoch key; the current epoch is never dropped. */
  dropLogEpoch(epoch: number): void {
    if (epoch === this.logKey().epoch) return;
    this.#file.log = this.#file.log.filter((k) => k.v !== epoch);
    this.#logKeys.delete(epoch);
    this.#persist();
  }
}
