// A vehicle's life as alternating parked and driving segments, built a local day at a time from the
// day plans and kept short (old segments are dropped and rebuilt on demand: the build is a pure
// function of seed, vehicle and epoch). Energy and odometer carry from one segment to the next, so
// the battery drained by a trip is the battery found at the next stop.
import { createRng, type Rng } from '../core/rng.ts';
import { type City, utcOffsetMs } from './cities.ts';
import { type ChargeKind, type ChargeSession, energyInSession, planCharge } from './charging.ts';
import { planDay } from './day-plan.ts';
import type { VehicleProfile } from './fleet.ts';
import { profile, type Profile } from './kinematics.ts';
import { bearingDeg } from './geo.ts';
import { nearestCharger, type LegSpec, type PlaceId, route } from './routing.ts';
import { outsideTempC } from './weather.ts';

export const DAY_MS = 86_400_000;
/** The least time between arriving and leaving again. */
const MIN_STOP_MS = 3 * 60_000;
/** Plugging in takes a minute after arrival. */
const PLUG_DELAY_MS = 60_000;
/** A parked BEV loses about 1 % a day to its electronics. */
const BEV_IDLE_KWH_PER_MS = 0.75 / DAY_MS;
/** Below this share of capacity after the next trip, the driver charges or refuels first. */
const RESERVE_SHARE = 0.12;
/** Segments that ended this long before the latest read are dropped (and rebuilt if read again). */
const KEEP_MS = 12 * 3_600_000;
/** Profiles depend only on the (shared) line and its speed limit. */
const profiles = new WeakMap<object, Profile>();
function legProfile(spec: LegSpec): Profile {
  let p = profiles.get(spec.line);
  if (!p || p.lengthM !== spec.line.length) {
    p = profile(spec.line.length, spec.vMaxMs, spec.accel);
    profiles.set(spec.line, p);
  }
  return p;
}

export interface LegRun {
  spec: LegSpec;
  prof: Profile;
  start: number;
  /** Standstill at the leg's end; the dwell (lights) follows until `end`. */
  moveEnd: number;
  end: number;
  distStartM: number;
  energyStart: number;
  ratePerM: number;
}

export interface DriveSegment {
  kind: 'drive';
  start: number;
  end: number;
  from: PlaceId;
  to: PlaceId;
  legs: LegRun[];
  odoStartKm: number;
  energyStart: number;
  distanceM: number;
}

export interface ParkSegment {
  kind: 'park';
  start: number;
  /** Infinity while it is the last segment (the next departure is not planned yet). */
  end: number;
  place: PlaceId;
  headingDeg: number;
  odoKm: number;
  energyStart: number;
  charge?: ChargeSession;
}

export type Segment = DriveSegment | ParkSegment;

export function capacityOf(v: VehicleProfile): number {
  return v.spec.powertrain === 'bev' ? v.spec.batteryKwh! : v.spec.tankL!;
}

/** Energy (kWh or litres) per metre on a leg, higher at speed and, for BEVs, in the cold. */
function ratePerM(v: VehicleProfile, spec: LegSpec, tempC: number): number {
  if (v.spec.powertrain === 'bev') {
    const speedFactor = 0.8 + 0.45 * (spec.vMaxMs / 27.8) ** 2;
    const cold = tempC < 5 ? 1 + (5 - tempC) * 0.02 : 1;
    return (v.spec.kwhPerKm! * speedFactor * cold) / 1000;
  }
  const roadFactor = spec.road === 'local' ? 1.15 : spec.road === 'arterial' ? 1 : 0.92;
  return (v.spec.lPer100Km! * roadFactor) / 100_000;
}

export class VehicleTimeline {
  readonly vehicle: VehicleProfile;
  readonly seed: string;
  readonly epochMs: number;
  segments: Segment[] = [];
  #throughDay = 0;

  constructor(seed: string, vehicle: VehicleProfile, epochMs: number) {
    this.seed = seed;
    this.vehicle = vehicle;
    this.epochMs = epochMs;
    this.#rebuild();
  }

  get city(): City {
    return this.vehicle.city;
  }

  localDay(t: number): number {
    return Math.floor((t + utcOffsetMs(this.city)) / DAY_MS);
  }

  /** The segment covering t (t before the epoch reads as the epoch). */
  segmentAt(t: number): Segment {
    const at = Math.max(t, this.epochMs);
    this.#ensure(at);
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.start <= at) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo]!;
  }

  /** Energy in a parked car at t (drain, or the charge session once plugged in). */
  parkEnergy(park: ParkSegment, t: number): number {
    if (park.charge) return t < park.charge.plugAt ? park.energyStart : energyInSession(park.charge, Math.min(t, park.end));
    if (this.vehicle.spec.powertrain !== 'bev') return park.energyStart;
    return Math.max(0, park.energyStart - BEV_IDLE_KWH_PER_MS * (Math.min(t, park.end) - park.start));
  }

  #ensure(t: number): void {
    if (t < this.segments[0]!.start) this.#rebuild();
    const day = this.localDay(t);
    while (this.#throughDay < day) this.#generateDay(++this.#throughDay);
    let drop = 0;
    while (drop < this.segments.length - 2 && this.segments[drop]!.end < t - KEEP_MS) drop++;
    if (drop > 8) this.segments.splice(0, drop);
  }

  #rebuild(): void {
    const v = this.vehicle;
    const energy = (capacityOf(v) * v.initial.energyPct) / 100;
    this.segments = [];
    this.#openPark(this.epochMs, v.home, v.initial.headingDeg, v.initial.odometerKm, energy);
    this.#throughDay = this.localDay(this.epochMs) - 1;
  }

  #generateDay(day: number): void {
    const midnight = day * DAY_MS - utcOffsetMs(this.city);
    const plan = planDay(this.seed, this.vehicle, day);
    plan.forEach((trip, i) => {
      const planned = midnight + Math.round(trip.departS) * 1000;
      if (planned < this.epochMs) return;
      this.#appendTrip(planned, trip.to, createRng(this.seed, 'trip', this.vehicle.key, day, i));
    });
  }

  get #last(): ParkSegment {
    return this.segments[this.segments.length - 1] as ParkSegment;
  }

  #appendTrip(planned: number, dest: PlaceId, rng: Rng): void {
    const v = this.vehicle;
    let park = this.#last;
    if (park.place === dest) return;
    let depart = Math.max(planned, park.start + MIN_STOP_MS);
    let legs = route(this.city, park.place, dest, rng);
    const temp = outsideTempC(this.seed, this.city, depart);
    const need = legs.reduce((sum, l) => sum + ratePerM(v, l, temp) * l.line.length, 0);
    const capacity = capacityOf(v);
    if (this.parkEnergy(park, depart) - need < capacity * RESERVE_SHARE) {
      // A charging (or fuelling) stop first. It always starts in a park opened now, never in one
      // already built, so what was read before stays true.
      const charger = nearestCharger(this.city, park.place, v.home);
      if (charger !== park.place) {
        this.#drive(depart, charger, route(this.city, park.place, charger, rng));
      } else {
        const energy = this.parkEnergy(park, depart);
        park.end = depart;
        this.segments.push({ kind: 'park', start: depart, end: Infinity, place: park.place, headingDeg: park.headingDeg, odoKm: park.odoKm, energyStart: energy });
      }
      park = this.#last;
      const kind: ChargeKind = v.spec.powertrain === 'bev' ? 'dc' : 'fuel';
      park.charge = planCharge({
        kind, capacity, startEnergy: park.energyStart, limitPct: kind === 'dc' ? 80 : 100,
        plugAt: park.start + PLUG_DELAY_MS, acKw: v.acKw, dcKw: v.spec.dcKw ?? 0, acVolts: this.city.acVolts,
      });
      if (park.place === dest) return;
      depart = park.charge.fullAt + MIN_STOP_MS;
      legs = route(this.city, park.place, dest, rng);
    }
    this.#drive(depart, dest, legs);
  }

  /** Closes the open park at `depart`, appends the drive and opens the park at the destination. */
  #drive(depart: number, dest: PlaceId, legs: LegSpec[]): void {
    const v = this.vehicle;
    const park = this.#last;
    park.end = depart;
    const startEnergy = this.parkEnergy(park, depart);
    const temp = outsideTempC(this.seed, this.city, depart);
    const runs: LegRun[] = [];
    let t = depart;
    let dist = 0;
    let energy = startEnergy;
    for (const spec of legs) {
      const prof = legProfile(spec);
      const rate = ratePerM(v, spec, temp);
      const moveEnd = t + prof.durationS * 1000;
      // Legs end on whole milliseconds (the standstill absorbs the rounding), so stops and
      // arrivals are exact times.
      const end = Math.ceil(moveEnd + spec.dwellS * 1000);
      runs.push({ spec, prof, start: t, moveEnd, end, distStartM: dist, energyStart: energy, ratePerM: rate });
      dist += spec.line.length;
      energy = Math.max(0, energy - rate * spec.line.length);
      t = end;
    }
    this.segments.push({ kind: 'drive', start: depart, end: t, from: park.place, to: dest, legs: runs, odoStartKm: park.odoKm, energyStart: startEnergy, distanceM: dist });
    const lastLine = legs[legs.length - 1]!.line.points;
    const heading = Math.round(bearingDeg(lastLine[lastLine.length - 2]!, lastLine[lastLine.length - 1]!)) % 360;
    this.#openPark(t, dest, heading, park.odoKm + dist / 1000, energy);
  }

  #openPark(start: number, place: PlaceId, headingDeg: number, odoKm: number, energy: number): void {
    const v = this.vehicle;
    const park: ParkSegment = { kind: 'park', start, end: Infinity, place, headingDeg, odoKm, energyStart: energy };
    const socPct = (energy / capacityOf(v)) * 100;
    if (v.spec.powertrain === 'bev' && v.homeCharger && place === v.home && socPct < v.plugBelowPct && socPct < v.chargeLimitPct) {
      park.charge = planCharge({
        kind: 'ac', capacity: capacityOf(v), startEnergy: energy, limitPct: v.chargeLimitPct,
        plugAt: start + PLUG_DELAY_MS, acKw: v.acKw, dcKw: v.spec.dcKw ?? 0, acVolts: this.city.acVolts,
      });
    }
    this.segments.push(park);
  }
}
