// What a driver intends to do on a local day: departures (seconds after local midnight) and
// destinations. It depends only on (seed, vehicle, day), never on the car's state, so any day can be
// planned on its own; the timeline then fits the plan to reality (a trip cannot leave before the last
// one arrived; a low battery adds a charging stop).
import { createRng } from '../core/rng.ts';
import type { VehicleProfile } from './fleet.ts';
import type { PlaceId } from './routing.ts';

export interface PlannedTrip {
  departS: number;
  to: PlaceId;
}

const H = 3600;

/** 0 = Sunday … 6 = Saturday, for a day number counted from 1970-01-01 (a Thursday). */
export function dayOfWeek(localDay: number): number {
  return (((localDay + 4) % 7) + 7) % 7;
}

function outing(trips: PlannedTrip[], home: PlaceId, to: PlaceId, startS: number, dwellS: number): number {
  trips.push({ departS: startS, to }, { departS: startS + dwellS, to: home });
  return startS + dwellS;
}

export function planDay(seed: string, v: VehicleProfile, localDay: number): PlannedTrip[] {
  const rng = createRng(seed, 'plan', v.key, localDay);
  const dow = dayOfWeek(localDay);
  const weekday = dow >= 1 && dow <= 5;
  const trips: PlannedTrip[] = [];
  const anywhere = [...v.shops, ...v.leisure];

  if (!weekday) {
    const outings = rng.weighted([[0, 0.3], [1, 0.45], [2, 0.25]] as const);
    let t = rng.range(9 * H, 12 * H);
    for (let i = 0; i < outings; i++) {
      t = outing(trips, v.home, rng.pick(v.leisure.concat(v.shops)), t, rng.range(1 * H, 4 * H)) + rng.range(0.5 * H, 2 * H);
    }
    return trips;
  }

  switch (v.persona) {
    case 'commuter': {
      if (rng.chance(0.92)) {
        trips.push({ departS: rng.range(6.5 * H, 8.5 * H), to: v.work }, { departS: rng.range(16 * H, 18.5 * H), to: v.home });
      }
      if (rng.chance(0.35)) outing(trips, v.home, rng.pick(v.shops), rng.range(19 * H, 20.5 * H), rng.range(0.3 * H, 1 * H));
      break;
    }
    case 'errands': {
      if (rng.chance(0.65)) {
        let t = rng.range(9 * H, 12 * H);
        const n = rng.int(1, 2);
        for (let i = 0; i < n; i++) t = outing(trips, v.home, rng.pick(anywhere), t, rng.range(0.5 * H, 2.5 * H)) + rng.range(1 * H, 3 * H);
      }
      break;
    }
    case 'heavy': {
      const hops = rng.int(4, 7);
      let t = rng.range(7 * H, 8.5 * H);
      for (let i = 0; i < hops; i++) {
        trips.push({ departS: t, to: rng.pick([...anywhere, v.work]) });
        t += rng.range(0.6 * H, 2 * H);
      }
      trips.push({ departS: Math.min(t, 21 * H), to: v.home });
      break;
    }
  }
  return trips;
}
