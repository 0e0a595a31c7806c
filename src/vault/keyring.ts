// The vault keyring: the key material that lives outside the database, so that destroying a key here
// makes the matching rows unreadable even in a copy of the database taken earlier.
//
//   KEK (key file) ──seals──▶ 256 bucket keys ──wrap──▶ per-vehicle and per-location-stream data keys (DB)
//                  └─seals──▶ log-epoch keys   ──encrypt─▶ the append log (DB, short-lived)
//
// Deleting a vehicle rotates its bucket: the bucket's other data keys are re-wrapped under a new
// bucket key and the old one is erased from this file. Log-epoch keys are erased once every log row
// under them has been compacted. The file is rewritten atomically (temp file, fsync, rename).
//
// Several processes of a cluster may share the file (one volume): every change is a read-modify-write
// under a lock file (file-lock.ts), so none loses another's, and bumps the file's `generation`. A
// process notices others' changes by reloading: when a key version it meets is newer than any it
// knows, when the file changed on disk (log keys), and when the database records a newer generation
// (keyring-sync.ts, which orders rotations against data-key creation on PostgreSQL).
import { hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OdmError } from '../core/errors.ts';
import { KEY_BYTES, open, seal, toKey } from './aead.ts';
import { withFileLock } from './file-lock.ts';
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
  /** Bumped by every change (absent in files written before it existed: 0). */
  generation?: number;
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
  /** What the file on disk looked like when last read or written, to notice others' changes cheaply. */
  #seen = '';
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
    const file = readKeyringFile(path);
    if (file === undefined) {
      if (!options.create) {
        throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${path} is missing but the database holds data encrypted under it; restore the file (stored data cannot be read without it)`, { details: { path } });
      }
      // Under the lock: of two processes starting at once, one creates the file and the other loads it.
      const ring = withFileLock(path, () => {
        const existing = readKeyringFile(path);
        if (existing) return new Keyring(path, kek, existing);
        const fresh: KeyringFile = { format: 1, id: randomBytes(16).toString('hex'), generation: 1, buckets: [], log: [] };
        const r = new Keyring(path, kek, fresh);
        for (let b = 0; b < BUCKETS; b++) fresh.buckets.push([r.#sealNew(`bucket/${b}/1`, 1)]);
        fresh.log.push({ ...r.#sealNew('log/1', 1), createdAt: Date.now() });
        r.#persist();
        return r;
      });
      ring.#checkKek();
      ring.#seen = ring.#stamp();
      return ring;
    }
    const ring = new Keyring(path, kek, file);
    ring.#seen = ring.#stamp();
    ring.#checkKek();
    return ring;
  }

  #checkKek(): void {
    try {
      this.logKey();
    } catch (cause) {
      throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${this.path} does not open with this node's key-encryption key`, { cause, details: { path: this.path } });
    }
  }

  /** The file's generation as this process last read or wrote it. */
  get generation(): number {
    return this.#file.generation ?? 0;
  }

  /**
   * Re-reads the file (another process changed it); forgets cached keys it no longer holds. Returns
   * whether anything changed.
   */
  reload(): boolean {
    const file = readKeyringFile(this.path);
    this.#seen = this.#stamp();
    if (!file) throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${this.path} has disappeared`, { details: { path: this.path } });
    return this.#adopt(file);
  }

  #adopt(file: KeyringFile): boolean {
    if (file.id !== this.id) throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${this.path} was replaced by another keyring`, { details: { path: this.path } });
    if ((file.generation ?? 0) === this.generation && file.generation !== undefined) return false;
    this.#file = file;
    for (const cacheKey of [...this.#bucketKeys.keys()]) {
      const [b, v] = cacheKey.split('/').map(Number);
      if (!file.buckets[b!]?.some((k) => k.v === v)) this.#bucketKeys.delete(cacheKey);
    }
    for (const e of [...this.#logKeys.keys()]) if (!file.log.some((k) => k.v === e)) this.#logKeys.delete(e);
    return true;
  }

  /** Reloads when the file on disk is not the one last read or written here (one stat call). */
  reloadIfChanged(): boolean {
    return this.#stamp() !== this.#seen ? this.reload() : false;
  }

  #stamp(): string {
    try {
      const st = statSync(this.path);
      return `${st.ino}/${st.size}/${st.mtimeMs}`;
    } catch {
      return '';
    }
  }

  /** Read-modify-write under the lock file, so changes made by other processes are kept. */
  #mutate<T>(change: (file: KeyringFile) => T): T {
    return withFileLock(this.path, () => {
      const current = readKeyringFile(this.path);
      if (current) this.#adopt(current);
      const out = change(this.#file);
      this.#file.generation = this.generation + 1;
      this.#persist();
      return out;
    });
  }

  #sealNew(label: string, v: number): SealedKey {
    return { v, key: seal(this.#kek, randomBytes(KEY_BYTES), `keyring/${this.#file.id}/${label}`).toString('base64') };
  }

  #unseal(label: string, sealed: SealedKey): KeyObject {
    return toKey(open(this.#kek, Buffer.from(sealed.key, 'base64'), `keyring/${this.#file.id}/${label}`));
  }

  #persist(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // One fixed temp name (writers hold the lock), so a copy left by a crash is overwritten next time
    // rather than keeping erased keys around.
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
    this.#seen = this.#stamp();
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

  /** The key, or undefined if it was erased. A version newer than any known here makes it reload. */
  bucketKey(bucket: number, version: number): KeyObject | undefined {
    const cacheKey = `${bucket}/${version}`;
    let key = this.#bucketKeys.get(cacheKey);
    if (!key) {
      let sealed = this.#file.buckets[bucket]?.find((k) => k.v === version);
      if (!sealed && bucket >= 0 && bucket < BUCKETS && version > this.#newestBucketVersion(bucket)) {
        this.reload();
        sealed = this.#file.buckets[bucket]?.find((k) => k.v === version);
      }
      if (!sealed) return undefined;
      key = this.#unseal(`bucket/${bucket}/${version}`, sealed);
      this.#bucketKeys.set(cacheKey, key);
    }
    return key;
  }

  #newestBucketVersion(bucket: number): number {
    const versions = this.#file.buckets[bucket]!;
    return versions[versions.length - 1]!.v;
  }

  /** Bucket versions other than the current one (left by an interrupted rotation). */
  staleBucketVersions(bucket: number): number[] {
    const versions = this.#file.buckets[bucket]!;
    return versions.slice(0, -1).map((k) => k.v);
  }

  /** Adds a new current key to the bucket and persists it; returns the new version. */
  addBucketVersion(bucket: number): number {
    return this.#mutate((file) => {
      const versions = file.buckets[bucket]!;
      const v = versions[versions.length - 1]!.v + 1;
      versions.push(this.#sealNew(`bucket/${bucket}/${v}`, v));
      return v;
    });
  }

  /** Erases one bucket key version for good. */
  dropBucketVersion(bucket: number, version: number): void {
    this.#mutate((file) => {
      const next = file.buckets[bucket]!.filter((k) => k.v !== version);
      if (next.length === 0) throw new OdmError('ODM_ERR_INTERNAL', 'a bucket keeps at least one key');
      file.buckets[bucket] = next;
      this.#bucketKeys.delete(`${bucket}/${version}`);
    });
  }

  /**
   * The key new log rows are written under. Checks the file first (one stat): another process may
   * have started a newer epoch, and rows must not go on under one that is about to be erased.
   */
  logKey(): { epoch: number; key: KeyObject } {
    this.reloadIfChanged();
    const newest = this.#file.log[this.#file.log.length - 1]!;
    return { epoch: newest.v, key: this.logKeyFor(newest.v)! };
  }

  logKeyCreatedAt(): number {
    return this.#file.log[this.#file.log.length - 1]!.createdAt;
  }

  logKeyFor(epoch: number): KeyObject | undefined {
    let key = this.#logKeys.get(epoch);
    if (!key) {
      let sealed = this.#file.log.find((k) => k.v === epoch);
      if (!sealed && epoch > this.#file.log[this.#file.log.length - 1]!.v) {
        this.reload();
        sealed = this.#file.log.find((k) => k.v === epoch);
      }
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
    return this.#mutate((file) => {
      const v = file.log[file.log.length - 1]!.v + 1;
      file.log.push({ ...this.#sealNew(`log/${v}`, v), createdAt: now });
      return v;
    });
  }

  /** Erases a log-epoch key; the current epoch is never dropped. */
  dropLogEpoch(epoch: number): void {
    this.#mutate((file) => {
      if (epoch === file.log[file.log.length - 1]!.v) return;
      file.log = file.log.filter((k) => k.v !== epoch);
      this.#logKeys.delete(epoch);
    });
  }
}

/** The parsed file, or undefined if there is none. */
function readKeyringFile(path: string): KeyringFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `cannot read the vault keyring ${path}`, { cause: err });
  }
  try {
    const file = JSON.parse(text) as KeyringFile;
    if (file.format !== 1 || file.buckets.length !== BUCKETS || file.log.length === 0) throw new Error('unexpected layout');
    return file;
  } catch (cause) {
    throw new OdmError('ODM_ERR_VAULT_KEYRING', `the vault keyring ${path} is not a keyring file`, { cause, details: { path } });
  }
}
