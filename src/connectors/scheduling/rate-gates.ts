// What the OEMs told us to wait for. A 429 closes a gate until its Retry-After: per vehicle and
// category (data, command, wake, state) when it was the vehicle's limit, or for the whole app at that
// OEM when the limit was the app's (then every vehicle of that OEM waits). Nothing is sent through a
// closed gate; the pollers reschedule to its opening time instead.
export type CallCategory = 'data' | 'command' | 'wake' | 'state' | 'auth';

export class RateGates {
  readonly #vehicle = new Map<string, number>();
  readonly #app = new Map<string, number>();

  /** 0 when calls may go now, else when the gate opens (epoch ms). */
  blockedUntil(oem: string, vehicleKey: string | undefined, category: CallCategory, now: number): number {
    const app = this.#app.get(oem) ?? 0;
    const v = vehicleKey === undefined ? 0 : (this.#vehicle.get(`${vehicleKey}|${category}`) ?? 0);
    const until = Math.max(app, v);
    if (until <= now) {
      if (app !== 0 && app <= now) this.#app.delete(oem);
      if (v !== 0 && v <= now) this.#vehicle.delete(`${vehicleKey}|${category}`);
      return 0;
    }
    return until;
  }

  blockVehicle(vehicleKey: string, category: CallCategory, until: number): void {
    const k = `${vehicleKey}|${category}`;
    if ((this.#vehicle.get(k) ?? 0) < until) this.#vehicle.set(k, until);
  }

  blockApp(oem: string, until: number): void {
    if ((this.#app.get(oem) ?? 0) < until) this.#app.set(oem, until);
  }

  appBlockedUntil(oem: string): number {
    return this.#app.get(oem) ?? 0;
  }

  forgetVehicle(vehicleKey: string): void {
    for (const c of ['data', 'command', 'wake', 'state', 'auth'] as const) this.#vehicle.delete(`${vehicleKey}|${c}`);
  }
}

/**
 * Exponential backoff with jitter for transient failures (5xx, timeouts): base·2^(attempt-1), capped,
 * then scaled by a random factor in [0.5, 1] so a fleet that failed together does not retry together.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  return Math.round(raw * (0.5 + random() * 0.5));
}

/** A small spread (0–`spreadMs`) added to times many vehicles would otherwise share (a gate's opening). */
export function spread(spreadMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * spreadMs);
}
