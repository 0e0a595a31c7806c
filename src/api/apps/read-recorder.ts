// Records app reads in owners' activity logs without flooding them: the first read of an app (license)
// on a vehicle is appended at once; further reads within the window are counted and appended as one
// entry when the window closes (detail.reads, detail.since), with the union of privileges they used.
import type { ActivityEntryInput, ActivityLog } from '../../activity/activity-log.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';

export interface AppRead {
  owner: string;
  vehicleId: bigint;
  licenseId: string;
  /** The grantee address the app acts as. */
  address: string;
  name: string;
  /** Privileges the read used. */
  privileges: readonly number[];
  /** What was read, e.g. `telemetry`. */
  api: string;
}

interface Window {
  read: AppRead;
  since: number;
  reads: number;
  privileges: Set<number>;
}

export class ReadRecorder {
  readonly #log: () => ActivityLog;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #open = new Map<string, Window>();
  readonly #timer: NodeJS.Timeout;

  constructor(o: { log: () => ActivityLog; clock: Clock; logger: Logger; windowMs: number }) {
    this.#log = o.log;
    this.#clock = o.clock;
    this.#logger = o.logger;
    this.#windowMs = o.windowMs;
    this.#timer = setInterval(() => void this.flush(false), Math.max(250, Math.min(5000, o.windowMs / 4)));
    this.#timer.unref();
  }

  record(read: AppRead): void {
    if (read.privileges.length === 0) return;
    const key = `${read.owner}|${read.vehicleId}|${read.licenseId}|${read.api}`;
    const now = this.#clock.now();
    const open = this.#open.get(key);
    if (open && now - open.since < this.#windowMs) {
      open.reads++;
      for (const p of read.privileges) open.privileges.add(p);
      return;
    }
    if (open) this.#close(key, open);
    this.#open.set(key, { read, since: now, reads: 0, privileges: new Set() });
    this.#append(this.#entry(read, [...read.privileges], { api: read.api, reads: 1 }, now));
  }

  /** Appends the counted reads of windows that have closed (all of them when `all`). */
  async flush(all = true): Promise<void> {
    const now = this.#clock.now();
    for (const [key, w] of this.#open) if (all || now - w.since >= this.#windowMs) this.#close(key, w);
  }

  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.flush(true);
  }

  #close(key: string, w: Window): void {
    this.#open.delete(key);
    if (w.reads > 0) this.#append(this.#entry(w.read, [...w.privileges].sort((a, b) => a - b), { api: w.read.api, reads: w.reads, since: w.since }, this.#clock.now()));
  }

  #entry(r: AppRead, privileges: number[], detail: Record<string, unknown>, at: number): ActivityEntryInput {
    return { owner: r.owner, kind: 'read', vehicleId: r.vehicleId, app: { licenseId: r.licenseId, address: r.address, name: r.name }, privileges, detail, at };
  }

  #append(entry: ActivityEntryInput): void {
    let log: ActivityLog;
    try {
      log = this.#log();
    } catch (err) {
      this.#logger.warn({ err }, 'activity log unavailable; an app read was not recorded');
      return;
    }
    log.append(entry).catch((err: unknown) => this.#logger.error({ err }, 'could not record an app read'));
  }
}
