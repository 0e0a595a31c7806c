// Online, asleep or offline — what a Tesla's state check reports and whether data calls reach the car.
// Driving or charging keeps a car online; parked and idle, it falls asleep after `sleepAfterMs` (15
// min) without a data call, wake-up or command. State checks never count: they are answered by the
// cloud, not the car. A car parked in an underground garage at work is offline there.
import type { VehicleProfile } from './fleet.ts';
import type { VehicleSnapshot } from './snapshot.ts';

export type Connectivity = 'online' | 'asleep' | 'offline';

/** What API callers did to one vehicle; everything else about it is a function of time. */
export interface VehicleInteraction {
  lastDataAt: number;
  lastCommandAt: number;
  /** When a requested wake-up completes (the car is online from then). */
  wakeReadyAt: number;
  /** Control plane: asleep from this time until the next activity. */
  forcedSleepAt: number;
  /** Control plane: no connectivity at all. */
  forcedOffline: boolean;
  /** Last lock/unlock command; arriving somewhere later locks the car again (walk-away lock). */
  lock?: { locked: boolean; at: number };
}

export function newInteraction(): VehicleInteraction {
  return { lastDataAt: -Infinity, lastCommandAt: -Infinity, wakeReadyAt: -Infinity, forcedSleepAt: -Infinity, forcedOffline: false };
}

/** The last moment the car was kept awake, or null if it is active (driving or charging). */
export function lastAwakeAt(snap: VehicleSnapshot, it: VehicleInteraction, t: number): number | null {
  if (snap.idleSince === null) return null;
  return Math.max(snap.idleSince, it.lastDataAt, it.lastCommandAt, it.wakeReadyAt <= t ? it.wakeReadyAt : -Infinity);
}

export function connectivityOf(v: VehicleProfile, snap: VehicleSnapshot, it: VehicleInteraction, t: number, sleepAfterMs: number): Connectivity {
  if (it.forcedOffline) return 'offline';
  const awake = lastAwakeAt(snap, it, t);
  if (awake === null) return 'online';
  if (v.workGarage && snap.place === v.work) return 'offline';
  if (it.forcedSleepAt >= awake) return 'asleep';
  return t - awake < sleepAfterMs ? 'online' : 'asleep';
}

export function isLocked(snap: VehicleSnapshot, it: VehicleInteraction): boolean {
  if (snap.activity === 'driving') return true;
  if (it.lock && (snap.parkedSince === null || it.lock.at >= snap.parkedSince)) return it.lock.locked;
  return true;
}
