// One Smartcar poll: a single batch request for every path the vehicle can answer. Items fail on their
// own: a 501 (not capable), 403 (permission not granted) or 404 drops that path for this vehicle for
// good; a 429 closes the vehicle's data gate until its retry-after; a 5xx leaves that path for a sooner
// retry; VEHICLE_STATE:ASLEEP marks the car asleep. The items that succeeded still make one signed
// record, of the paths whose SC-Data-Age is newer than what was already emitted.
import { OdmError } from '../../core/errors.ts';
import { retryAfterMs } from '../http/oem-http.ts';
import type { Signal } from '../oem-types.ts';
import { backoffMs } from '../scheduling/rate-gates.ts';
import { emitSignals, setState, type PollDeps, type Poller } from '../scheduling/poller.ts';
import type { VehicleRuntime } from '../scheduling/vehicle-state.ts';
import { DEFAULT_RETRY_AFTER_MS } from '../scheduling/oem-call.ts';
import { batchItems, SMARTCAR_PATHS, smartcarErrorCode, type SmartcarApi } from './smartcar-api.ts';
import { dataAge, smartcarSignals } from './smartcar-convert.ts';

export class SmartcarPoller implements Poller {
  readonly #api: SmartcarApi;
  readonly #d: PollDeps;

  constructor(api: SmartcarApi, deps: PollDeps) {
    this.#api = api;
    this.#d = deps;
  }

  async poll(v: VehicleRuntime): Promise<number> {
    const c = this.#d.cadence.smartcar;
    const paths = SMARTCAR_PATHS.filter((p) => !v.dropped.has(p));
    const start = this.#d.clock.now();
    if (paths.length === 0) {
      setState(v, 'not_capable');
      return start + c.asleepMs;
    }
    this.#d.count('data_call');
    const res = await this.#d.caller.call({ oem: 'smartcar', accountId: v.accountId, vehicleKey: v.connectionId, category: 'data' }, (t) => this.#api.batch(t, v.oemVehicleId, paths));
    const now = this.#d.clock.now();
    if (res.status === 409 && smartcarErrorCode(res.body) === 'VEHICLE_STATE:ASLEEP') {
      setState(v, 'asleep');
      v.failures = 0;
      return now + c.asleepMs;
    }
    if (res.status !== 200) {
      throw new OdmError('ODM_ERR_OEM_REJECTED', `Smartcar batch answered ${res.status} ${smartcarErrorCode(res.body) ?? ''}`.trim(), { retryable: true, details: { oem: 'smartcar', status: res.status } });
    }

    const signals: Signal[] = [];
    const marks: Record<string, number> = {};
    let ok = 0;
    let asleep = false;
    let transient = false;
    let limitedUntil = 0;
    let charging = false;
    let freshest = 0;
    for (const item of batchItems(res)) {
      if (item.code === 200) {
        ok++;
        const ts = dataAge(item, now);
        freshest = Math.max(freshest, ts);
        if (item.path === '/charge' && (item.body as { state?: unknown } | null)?.state === 'CHARGING') charging = true;
        if (ts > (v.lastEmitted[item.path] ?? -Infinity)) {
          signals.push(...smartcarSignals(item, ts));
          marks[item.path] = ts;
        }
      } else if (item.code === 501 || item.code === 404 || (item.code === 403 && smartcarErrorCode(item.body)?.startsWith('PERMISSION'))) {
        await this.#d.dropPath(v, item.path);
      } else if (item.code === 409) {
        asleep = true;
      } else if (item.code === 429) {
        const until = now + (retryAfterMs(item.headers['retry-after'], now) ?? DEFAULT_RETRY_AFTER_MS);
        this.#d.caller.gates.blockVehicle(v.connectionId, 'data', until);
        limitedUntil = Math.max(limitedUntil, until);
      } else {
        transient = true;
      }
    }
    await emitSignals(this.#d, v, signals, marks);

    let next: number;
    if (asleep && ok === 0) {
      setState(v, 'asleep');
      next = now + c.asleepMs;
    } else if (charging) {
      setState(v, 'charging');
      next = now + c.chargingMs;
    } else if (ok > 0 && now - freshest <= c.freshMs) {
      setState(v, 'driving');
      next = now + c.drivingMs;
    } else {
      setState(v, ok > 0 ? 'parked' : v.state);
      next = now + c.parkedMs;
    }
    if (transient) {
      // Failed paths come back sooner, with backoff; the rest are deduped by their data age.
      v.failures++;
      next = Math.min(next, now + backoffMs(v.failures, this.#d.cadence.retry.baseMs, this.#d.cadence.retry.capMs, this.#d.random));
    } else {
      v.failures = 0;
    }
    return Math.max(next, limitedUntil);
  }
}
