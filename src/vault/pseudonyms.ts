// Pseudonymous identifiers for the location side of the vault. The location stream of a vehicle (per
// owner epoch) is a keyed hash of the vehicle under a node secret, and its hour chunks are tagged with a
// keyed hash of (stream, hour), so the location tables hold neither vehicle ids nor times: joining them to vehicles or owners
// needs the node's key-encryption key.
import { keyedHash } from './keyed-hash.ts';
import type { Keyring } from './keyring.ts';

export const CHUNK_MS = 3_600_000;

export function chunkStartOf(ts: number): number {
  return Math.floor(ts / CHUNK_MS) * CHUNK_MS;
}

export class Pseudonyms {
  readonly #streamSecret: Buffer;
  readonly #tagSecret: Buffer;

  constructor(keyring: Keyring) {
    this.#streamSecret = keyring.secret('stream-id');
    this.#tagSecret = keyring.secret('chunk-tag');
  }

  streamId(vehicleId: string, version: number): string {
    return keyedHash(this.#streamSecret, `${vehicleId}:${version}`).toString('hex', 0, 16);
  }

  chunkTag(streamId: string, chunkStart: number): string {
    return keyedHash(this.#tagSecret, `${streamId}:${chunkStart}`).toString('hex', 0, 16);
  }
}
