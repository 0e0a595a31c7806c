// One Tesla poll (see scheduling/vehicle-state.ts for the state machine). The data path never calls
// wake_up: an asleep or offline car is only checked with GET /api/1/vehicles/{id}, which neither wakes
// it nor resets its sleep timer, and a parked car gets a window without vehicle_data calls to fall
// asleep in. One signed record per poll, of the sections whose timestamps are new.
import { OdmError } from '../../core/errors.ts';
import { emitSignals, setState, type PollDeps, type Poller } from '../scheduling/poller.ts';
import type { VehicleRuntime } from '../scheduling/vehicle-state.ts';
import { TESLA_ENDPOINTS, type TeslaApi } from './tesla-api.ts';
import { sectionTimes, teslaActivity, teslaSignals, type TeslaSections } from './tesla-convert.ts';

/** The one data path a Tesla has; dropped when the vehicle answers 501 to it. */
export const VEHICLE_DATA = 'vehicle_data';

export class TeslaPoller implements Poller {
  readonly #api: TeslaApi;
  readonly #d: PollDeps;

  constructor(api: TeslaApi, deps: PollDeps) {
    this.#api = api;
    this.#d = deps;
  }

  async poll(v: VehicleRuntime): Promise<number> {
    const c = this.#d.cadence.tesla;
    const now = this.#d.clock.now();
    const lettingSleep = v.state === 'parked' && now - v.lastDataCallAt < c.sleepWindowMs;
    // Only a car seen driving or charging goes straight to a data call; any other is checked first.
    if (v.state !== 'driving' && v.state !== 'charging') {
      const state = await this.#state(v);
      if (state === 'retry') return now + 1_000;
      if (state === 'asleep' || state === 'offline') {
        setState(v, state);
        v.failures = 0;
        return now + (state === 'asleep' ? c.asleepCheckMs : c.offlineCheckMs);
      }
      if (lettingSleep) {
        v.failures = 0;
        return Math.min(now + c.parkedCheckMs, v.lastDataCallAt + c.sleepWindowMs);
      }
      if (v.dropped.has(VEHICLE_DATA)) {
        setState(v, 'not_capable');
        return now + c.asleepCheckMs;
      }
    }
    return this.#data(v);
  }

  /** The cloud's view: online, asleep or offline. */
  async #state(v: VehicleRuntime): Promise<'online' | 'asleep' | 'offline' | 'retry'> {
    const region = this.#d.regionOf(v.accountId);
    this.#d.count('state_call');
    const res = await this.#d.caller.call({ oem: 'tesla', accountId: v.accountId, vehicleKey: v.connectionId, category: 'state' }, (t) => this.#api.vehicleState(t, region, v.oemVehicleId));
    if (res.status === 421) {
      await this.#d.fixRegion(v.accountId);
      return 'retry';
    }
    if (res.status !== 200) throw rejected(res.status, 'vehicle state');
    const state = (res.body as { response?: { state?: string } } | null)?.response?.state;
    return state === 'asleep' ? 'asleep' : state === 'offline' ? 'offline' : 'online';
  }

  async #data(v: VehicleRuntime): Promise<number> {
    const c = this.#d.cadence.tesla;
    const region = this.#d.regionOf(v.accountId);
    this.#d.count('data_call');
    const res = await this.#d.caller.call({ oem: 'tesla', accountId: v.accountId, vehicleKey: v.connectionId, category: 'data' }, (t) =>
      this.#api.vehicleData(t, region, v.oemVehicleId, TESLA_ENDPOINTS),
    );
    const now = this.#d.clock.now();
    if (res.status === 408) {
      // Asleep or offline: the car is left alone (no wake_up) and checked cheaply from now on.
      setState(v, 'asleep');
      v.failures = 0;
      return now + c.asleepCheckMs;
    }
    if (res.status === 421) {
      await this.#d.fixRegion(v.accountId);
      return now + 1_000;
    }
    if (res.status === 501) {
      await this.#d.dropPath(v, VEHICLE_DATA);
      setState(v, 'not_capable');
      return now + c.asleepCheckMs;
    }
    if (res.status !== 200) throw rejected(res.status, 'vehicle_data');
    v.lastDataCallAt = now;
    const r = ((res.body as { response?: TeslaSections } | null)?.response ?? {}) as TeslaSections;
    const times = sectionTimes(r);
    const fresh: Record<string, number> = {};
    for (const [k, t] of Object.entries(times)) if (t > (v.lastEmitted[k] ?? -Infinity)) fresh[k] = t;
    await emitSignals(this.#d, v, teslaSignals(r, v.lastEmitted), fresh);
    const activity = teslaActivity(r);
    setState(v, activity);
    v.failures = 0;
    if (activity === 'driving') return now + c.drivingMs;
    if (activity === 'charging') return now + c.chargingMs;
    return now + c.parkedCheckMs;
  }
}

function rejected(status: number, what: string): OdmError {
  return new OdmError('ODM_ERR_OEM_REJECTED', `Tesla ${what} answered ${status}`, { retryable: true, details: { oem: 'tesla', status } });
}
