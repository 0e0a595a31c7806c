// A cache bounded by an estimate of the bytes its values hold, evicting with CLOCK (second chance): a
// hit only sets a flag, so reads cost no map reshuffling; eviction walks from the oldest insert, giving
// flagged entries one more round. Decrypted telemetry lives only here (memory, never disk), so queries
// repeat without decrypting the same chunk twice.
interface Entry<V> {
  value: V;
  bytes: number;
  used: boolean;
}

export class ByteLru<V> {
  readonly #max: number;
  readonly #map = new Map<string, Entry<V>>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): V | undefined {
    const hit = this.#map.get(key);
    if (!hit) return undefined;
    hit.used = true;
    return hit.value;
  }

  set(key: string, value: V, bytes: number): void {
    const old = this.#map.get(key);
    if (old) {
      this.#bytes -= old.bytes;
      this.#map.delete(key);
    }
    if (bytes > this.#max) return;
    this.#map.set(key, { value, bytes, used: false });
    this.#bytes += bytes;
    let budget = this.#map.size * 2;
    while (this.#bytes > this.#max && budget-- > 0) {
      const [oldest, entry] = this.#map.entries().next().value as [string, Entry<V>];
      this.#map.delete(oldest);
      if (entry.used && budget > 0) {
        entry.used = false;
        this.#map.set(oldest, entry); // second chance: to the back of the line
      } else {
        this.#bytes -= entry.bytes;
      }
    }
  }

  /** Re-weighs an entry whose value grew (or shrank) in place; may evict others, or the entry itself. */
  resize(key: string, bytes: number): void {
    const e = this.#map.get(key);
    if (!e) return;
    this.#map.delete(key);
    this.#bytes -= e.bytes;
    this.set(key, e.value, bytes);
  }

  /** Drops every entry whose key starts with `prefix` (a vehicle's data after a delete). */
  dropPrefix(prefix: string): void {
    for (const [key, entry] of this.#map) {
      if (!key.startsWith(prefix)) continue;
      this.#bytes -= entry.bytes;
      this.#map.delete(key);
    }
  }
}
