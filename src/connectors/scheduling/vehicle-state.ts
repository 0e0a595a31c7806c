// The per-vehicle polling state the scheduler works on, and the cadence of each state.
//
//   Tesla     unknown ─state check─▶ online? ─vehicle_data─▶ driving | charging | parked
//             driving: data every 30 s · charging: every 60 s
//             parked: no data call for the sleep window (16 min > Tesla's 15), only state checks, so the
//                     car can fall asleep; still online after the window → one data call
//             asleep / offline: state checks only (GET /api/1/vehicles/{id}: never wakes the car,
//                     never resets its sleep timer); online again → data. A 408 on data → asleep.
//             The data path never calls wake_up.
//   Smartcar  one batch per poll; SC-Data-Age says when the car reported: fresh → driving (60 s),
//             CHARGING → charging (2 min), otherwise parked (5 min); VEHICLE_STATE:ASLEEP → asleep (10 min).
import type { EmitTarget } from '../signing/status-emitter.ts';
import type { Oem } from '../store/connector-store.ts';

export type PollState = 'unknown' | 'driving' | 'charging' | 'parked' | 'asleep' | 'offline' | 'not_capable';

export interface VehicleRuntime {
  connectionId: string;
  accountId: string;
  oem: Oem;
  oemVehicleId: string;
  owner: string;
  target: EmitTarget;
  state: PollState;
  /** Tesla: when a vehicle_data call last reached the car (each one resets its sleep timer). */
  lastDataCallAt: number;
  /** Section (Tesla) or path (Smartcar) → newest data time already emitted: the dedupe key. */
  lastEmitted: Record<string, number>;
  /** Paths the vehicle is not capable of (501): never asked again. */
  dropped: Set<string>;
  /** Consecutive transient failures (for backoff). */
  failures: number;
  lastDataAt: number | null;
  /** Progress not yet written to the database. */
  dirty: boolean;
}

export interface Cadence {
  tesla: {
    drivingMs: number;
    chargingMs: number;
    /** State checks while a parked car is given time to fall asleep. */
    parkedCheckMs: number;
    /** How long a parked car gets without data calls (Tesla sleeps after 15 min without them). */
    sleepWindowMs: number;
    asleepCheckMs: number;
    offlineCheckMs: number;
  };
  smartcar: {
    drivingMs: number;
    chargingMs: number;
    parkedMs: number;
    asleepMs: number;
    /** Data younger than this (SC-Data-Age) means the car is reporting live, i.e. driving. */
    freshMs: number;
  };
  retry: {
    baseMs: number;
    capMs: number;
  };
}

export const DEFAULT_CADENCE: Cadence = {
  tesla: { drivingMs: 30_000, chargingMs: 60_000, parkedCheckMs: 60_000, sleepWindowMs: 16 * 60_000, asleepCheckMs: 60_000, offlineCheckMs: 5 * 60_000 },
  smartcar: { drivingMs: 60_000, chargingMs: 120_000, parkedMs: 5 * 60_000, asleepMs: 10 * 60_000, freshMs: 2 * 60_000 },
  retry: { baseMs: 5_000, capMs: 5 * 60_000 },
};

export function mergeCadence(over: { tesla?: Partial<Cadence['tesla']>; smartcar?: Partial<Cadence['smartcar']>; retry?: Partial<Cadence['retry']> } = {}): Cadence {
  return {
    tesla: { ...DEFAULT_CADENCE.tesla, ...over.tesla },
    smartcar: { ...DEFAULT_CADENCE.smartcar, ...over.smartcar },
    retry: { ...DEFAULT_CADENCE.retry, ...over.retry },
  };
}
