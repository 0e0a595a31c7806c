// Per-license token buckets: each license may spend `burst` requests at once and gets `perSecond` back
// every second. Over budget, a request is refused with ODM_ERR_RATE_LIMITED (429) and the seconds until
// one more is allowed (Retry-After). In memory, per node process: a cluster's budget is per process.
import { OdmError } from '../../core/errors.ts';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(o: { perSecond: number; burst: number; maxKeys?: number }) {
    this.#perSecond = o.perSecond;
    this.#burst = Math.max(1, o.burst);
    this.#maxKeys = o.maxKeys ?? 100_000;
  }

  /** Spends one request of `key` at `now` (ms); throws ODM_ERR_RATE_LIMITED when none is left. */
  take(key: string, now: number): void {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value as string);
      b = { tokens: this.#burst, at: now };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const retryAfterSec = Math.max(1, Math.ceil((1 - b.tokens) / this.#perSecond));
    throw new OdmError('ODM_ERR_RATE_LIMITED', `license ${key} is over its request budget (${this.#perSecond}/s, bursts of ${this.#burst}); retry in ${retryAfterSec} s`, {
      details: { licenseId: key, retryAfterSec, perSecond: this.#perSecond, burst: this.#burst },
    });
  }
}
