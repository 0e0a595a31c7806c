// The fleet simulator: one lazily built timeline per vehicle, read at any emulator time. Reading is a
// binary search and some arithmetic, so 10,000 vehicles polled every minute cost little.
import type { Fleet, VehicleProfile } from './fleet.ts';
import { snapshotAt, type VehicleSnapshot } from './snapshot.ts';
import { VehicleTimeline } from './vehicle-timeline.ts';

export class FleetSimulator {
  readonly fleet: Fleet;
  readonly epochMs: number;
  readonly #timelines = new Map<string, VehicleTimeline>();

  constructor(fleet: Fleet, epochMs: number) {
    this.fleet = fleet;
    this.epochMs = epochMs;
  }

  timeline(v: VehicleProfile): VehicleTimeline {
    let tl = this.#timelines.get(v.key);
    if (!tl) {
      tl = new VehicleTimeline(this.fleet.seed, v, this.epochMs);
      this.#timelines.set(v.key, tl);
    }
    return tl;
  }

  snapshot(v: VehicleProfile, t: number): VehicleSnapshot {
    return snapshotAt(this.timeline(v), t);
  }
}
