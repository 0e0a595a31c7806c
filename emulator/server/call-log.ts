// Every request the emulated APIs answered, in a bounded ring, and what each would be billed.
import type { Oem } from '../fleet/models.ts';
import type { ApiName } from './faults.ts';

/**
 * Billing categories. Tesla bills data, wakes and commands (state checks and the vehicle list are
 * counted under `state`); Smartcar bills each data endpoint, batch items one by one.
 */
export type BillingCategory = 'data' | 'state' | 'wake' | 'command' | 'auth';

export interface CallRecord {
  seq: number;
  /** Emulator-clock time the request arrived (ms). */
  at: number;
  oem: Oem;
  api: ApiName;
  method: string;
  path: string;
  query: string;
  status: number;
  /** Internal vehicle key, if the request named a vehicle. */
  vehicle: string | null;
  account: string | null;
  category: BillingCategory | null;
  fault: string | null;
  /** Real milliseconds spent answering. */
  durationMs: number;
}

export interface CallFilter {
  oem?: Oem;
  vehicle?: string;
  account?: string;
  path?: string;
  method?: string;
  status?: number;
  sinceSeq?: number;
  sinceMs?: number;
  limit?: number;
}

export class CallLog {
  readonly #capacity: number;
  #ring: CallRecord[] = [];
  #start = 0;
  #seq = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: ++this.#seq, ...record };
    if (this.#ring.length < this.#capacity) this.#ring.push(full);
    else {
      this.#ring[this.#start] = full;
      this.#start = (this.#start + 1) % this.#capacity;
    }
    return full;
  }

  /** Oldest first. */
  list(filter: CallFilter = {}): CallRecord[] {
    const out: CallRecord[] = [];
    const n = this.#ring.length;
    for (let i = 0; i < n; i++) {
      const r = this.#ring[(this.#start + i) % n]!;
      if (filter.oem && r.oem !== filter.oem) continue;
      if (filter.vehicle && r.vehicle !== filter.vehicle) continue;
      if (filter.account && r.account !== filter.account) continue;
      if (filter.path && !r.path.includes(filter.path)) continue;
      if (filter.method && r.method !== filter.method.toUpperCase()) continue;
      if (filter.status !== undefined && r.status !== filter.status) continue;
      if (filter.sinceSeq !== undefined && r.seq <= filter.sinceSeq) continue;
      if (filter.sinceMs !== undefined && r.at < filter.sinceMs) continue;
      out.push(r);
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  get total(): number {
    return this.#seq;
  }

  clear(): void {
    this.#ring = [];
    this.#start = 0;
  }
}

type Counters = Record<BillingCategory, number>;
const zero = (): Counters => ({ data: 0, state: 0, wake: 0, command: 0, auth: 0 });

export interface BillingReport {
  tesla: { totals: Counters; vehicles: Record<string, Counters> };
  smartcar: { totals: Counters; vehicles: Record<string, Counters> };
}

/** Billable units per OEM, per vehicle (internal key) and category; only successful answers count. */
export class Billing {
  #report: BillingReport = Billing.#empty();

  static #empty(): BillingReport {
    return { tesla: { totals: zero(), vehicles: {} }, smartcar: { totals: zero(), vehicles: {} } };
  }

  add(oem: Oem, vehicle: string | null, category: BillingCategory, units = 1): void {
    const book = this.#report[oem];
    book.totals[category] += units;
    if (vehicle) (book.vehicles[vehicle] ??= zero())[category] += units;
  }

  report(): BillingReport {
    return structuredClone(this.#report);
  }

  clear(): void {
    this.#report = Billing.#empty();
  }
}
