// Rate limits as the OEMs apply them: fixed one-minute windows per vehicle and category on the
// emulator clock. Tesla's published limits are the defaults (data 60/min, commands 30/min, wakes
// 3/min per vehicle); Smartcar does not publish its per-vehicle throttle, so 60/min is assumed.
import type { Oem } from '../fleet/models.ts';
import type { BillingCategory } from './call-log.ts';

export type RateLimitTable = Record<Oem, Partial<Record<BillingCategory, number>>>;

export const DEFAULT_RATE_LIMITS: RateLimitTable = {
  tesla: { data: 60, wake: 3, command: 30 },
  smartcar: { data: 60, command: 30 },
};

const WINDOW_MS = 60_000;

export class RateLimiter {
  readonly #limits: RateLimitTable | null;
  #counts = new Map<string, { window: number; count: number }>();

  constructor(limits: RateLimitTable | null) {
    this.#limits = limits;
  }

  /** Counts `units` against the limit; returns seconds to wait when over it, else 0. */
  take(oem: Oem, vehicle: string, category: BillingCategory, now: number, units = 1): number {
    const limit = this.#limits?.[oem][category];
    if (limit === undefined) return 0;
    const window = Math.floor(now / WINDOW_MS);
    const key = `${oem}|${vehicle}|${category}`;
    let entry = this.#counts.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, count: 0 };
      this.#counts.set(key, entry);
      if (this.#counts.size > 200_000) this.#prune(window);
    }
    if (entry.count + units > limit) return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
    entry.count += units;
    return 0;
  }

  clear(): void {
    this.#counts.clear();
  }

  #prune(window: number): void {
    for (const [k, v] of this.#counts) if (v.window !== window) this.#counts.delete(k);
  }
}
