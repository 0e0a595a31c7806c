// Pseudonymous identifiers for the location side of the vault. The location stream of a vehicle (per
// owner epoch) is HMAC(node secret, vehicle) and its hour chunks are tagged HMAC(node secret, stream,
// hour), so the location tables hold neither vehicle ids nor times: joining them to vehicles or owners
// needs the node's key-encryption key.
import { createHmac } from 'node:crypto';
import type { Keyring } from './keyring.ts';

export const CHUNK_MS = 3_600_000;

export function chunkStartOf(ts: number): number {
  return Math.floor(ts / CHUNK_MS) * CHUNK_MS;
}

export class Pseudonyms {
  readonly #streamSecret: Buffer;
  readonly #tagSecret: Buffer;
  readonly #streams = new Map<string, string>();

  constructor(keyring: Keyring) {
    this.#streamSecret = keyring.secret('stream-id');
    this.#tagSecret = keyring.secret('chunk-tag');
  }

  streamId(vehicleId: string, version: number): string {
    const k = `${vehicleId}:${version}`;
    let id = this.#streams.get(k);
    if (!id) {
      id = createHmac('sha256', this.#streamSecret).update(k).digest('hex').slice(0, 32);
      if (this.#streams.size > 200_000) this.#streams.clear();
      this.#streams.set(k, id);
    }
    return id;
  }

  chunkTag(streamId: string, chunkStart: number): string {
    return createHmac('sha256', this.#tagSecret).update(`${streamId}:${chunkStart}`).digest('hex').slice(0, 32);
  }
}
