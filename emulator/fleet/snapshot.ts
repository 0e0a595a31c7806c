// The truth about one vehicle at one instant, in the simulator's units (km, km/h, kPa, kWh or litres,
// °C). Every API view is a conversion of this; the control plane shows it as is.
import { type ChargeKind, phaseAt } from './charging.ts';
import type { VehicleProfile } from './fleet.ts';
import { alongPolyline } from './geo.ts';
import { motionAt } from './kinematics.ts';
import { placeCoords, type PlaceId } from './routing.ts';
import { capacityOf, DAY_MS, type DriveSegment, type ParkSegment, type VehicleTimeline } from './vehicle-timeline.ts';
import { outsideTempC } from './weather.ts';

export type Activity = 'driving' | 'charging' | 'parked';
export type ChargingState = 'Disconnected' | 'Charging' | 'Complete';

export interface VehicleSnapshot {
  at: number;
  activity: Activity;
  /** Where it is parked; null while driving. */
  place: PlaceId | null;
  latitude: number;
  longitude: number;
  headingDeg: number;
  speedKph: number;
  /** Power at the battery, kW: positive driving, negative regenerating or charging. */
  powerKw: number;
  odometerKm: number;
  powertrain: 'bev' | 'ice';
  /** kWh in the battery or litres in the tank. */
  energy: number;
  capacity: number;
  /** State of charge (BEV) or fuel level (ICE), percent. */
  energyPct: number;
  /** Rated range, km. */
  rangeKm: number;
  /** Range at recent consumption, km. */
  estRangeKm: number;
  plugged: boolean;
  chargeKind: ChargeKind | null;
  chargingState: ChargingState;
  chargerPowerKw: number;
  chargerVolts: number;
  chargerAmps: number;
  chargeLimitPct: number;
  /** Energy added in the current session (kWh or litres). */
  chargeEnergyAdded: number;
  /** Hours until the session reaches its limit (0 when not charging). */
  hoursToFull: number;
  /** Range added per hour of charging, km/h. */
  chargeRateKph: number;
  /** Parked and idle (not charging) since this time; null while driving or charging. */
  idleSince: number | null;
  /** When the car last stopped moving (arrival), or null while driving. */
  parkedSince: number | null;
  outsideTempC: number;
  insideTempC: number;
  climateOn: boolean;
  /** Front-left, front-right, rear-left, rear-right, kPa. */
  tiresKpa: [number, number, number, number];
  /** Engine oil life left, percent (ICE only). */
  oilLifePct: number | null;
}

const OIL_INTERVAL_KM = 15_000;
const VEHICLE_MASS_KG = 2000;

export function snapshotAt(tl: VehicleTimeline, t: number): VehicleSnapshot {
  const v = tl.vehicle;
  const seg = tl.segmentAt(t);
  const at = Math.max(t, tl.epochMs);
  const base = seg.kind === 'drive' ? driving(v, seg, at) : parked(tl, seg, at);
  const capacity = capacityOf(v);
  const outside = outsideTempC(tl.seed, v.city, at);
  const moving = base.activity === 'driving';
  const climateOn = base.activity !== 'parked';
  const leakDays = Math.max(0, at - tl.epochMs) / DAY_MS;
  const tiresKpa = v.tireOffsetKpa.map((offset, i) => {
    const leak = i === v.leakingTire ? Math.min(70, v.leakKpaPerDay * leakDays) : 0;
    return v.spec.tireKpa + offset - leak + (outside - 20) * 0.9 + (moving ? 10 : 0);
  }) as [number, number, number, number];
  const perKmRated = v.spec.powertrain === 'bev' ? v.spec.kwhPerKm! * 1.1 : v.spec.lPer100Km! / 100;
  const perKmEst = v.spec.powertrain === 'bev' ? v.spec.kwhPerKm! * 1.25 : (v.spec.lPer100Km! * 1.08) / 100;
  return {
    powertrain: v.spec.powertrain,
    capacity,
    energyPct: (base.energy / capacity) * 100,
    rangeKm: base.energy / perKmRated,
    estRangeKm: base.energy / perKmEst,
    chargeRateKph: base.chargeRateKw > 0 && v.spec.powertrain === 'bev' ? base.chargeRateKw / perKmRated : 0,
    outsideTempC: outside,
    insideTempC: climateOn ? 21 : outside + 4,
    climateOn,
    tiresKpa,
    oilLifePct: v.spec.powertrain === 'ice' ? (1 - ((base.odometerKm + v.oilOffsetKm) % OIL_INTERVAL_KM) / OIL_INTERVAL_KM) * 100 : null,
    ...base,
  };
}

type Base = Omit<VehicleSnapshot, 'powertrain' | 'capacity' | 'energyPct' | 'rangeKm' | 'estRangeKm' | 'chargeRateKph' | 'outsideTempC' | 'insideTempC' | 'climateOn' | 'tiresKpa' | 'oilLifePct'> & { chargeRateKw: number };

const idleCharge = {
  plugged: false, chargeKind: null, chargingState: 'Disconnected', chargerPowerKw: 0, chargerVolts: 0, chargerAmps: 0,
  chargeEnergyAdded: 0, hoursToFull: 0, chargeRateKw: 0,
} as const;

function driving(v: VehicleProfile, seg: DriveSegment, t: number): Base {
  let i = seg.legs.length - 1;
  while (i > 0 && seg.legs[i]!.start > t) i--;
  const leg = seg.legs[i]!;
  const { s, v: speed } = motionAt(leg.prof, (t - leg.start) / 1000);
  const { at, heading } = alongPolyline(leg.spec.line, s);
  const accel = t < leg.start + leg.prof.tAcc * 1000 ? leg.prof.accel : t > leg.moveEnd - leg.prof.tAcc * 1000 && t < leg.moveEnd ? -leg.prof.accel : 0;
  const cruiseKw = leg.ratePerM * speed * 3600;
  const inertialKw = (VEHICLE_MASS_KG * accel * speed) / 1000;
  const powerKw = v.spec.powertrain === 'bev' ? cruiseKw + (inertialKw > 0 ? inertialKw / 0.9 : inertialKw * 0.6) : 0;
  return {
    at: t,
    activity: 'driving',
    place: null,
    latitude: at[0],
    longitude: at[1],
    headingDeg: Math.round(heading) % 360,
    speedKph: speed * 3.6,
    powerKw,
    odometerKm: seg.odoStartKm + (leg.distStartM + s) / 1000,
    energy: Math.max(0, leg.energyStart - leg.ratePerM * s),
    chargeLimitPct: v.chargeLimitPct,
    idleSince: null,
    parkedSince: null,
    ...idleCharge,
  };
}

function parked(tl: VehicleTimeline, seg: ParkSegment, t: number): Base {
  const v = tl.vehicle;
  const [lat, lng] = placeCoords(v.city, seg.place);
  const energy = tl.parkEnergy(seg, t);
  const common = {
    at: t, place: seg.place, latitude: lat, longitude: lng, headingDeg: seg.headingDeg, speedKph: 0,
    odometerKm: seg.odoKm, energy, parkedSince: seg.start,
  };
  const s = seg.charge;
  if (!s || t < s.plugAt) {
    return { ...common, activity: 'parked', powerKw: 0, chargeLimitPct: v.chargeLimitPct, idleSince: seg.start, ...idleCharge };
  }
  const phase = phaseAt(s, t);
  const charging = phase !== undefined;
  const powerKw = phase?.powerKw ?? 0;
  const volts = s.volts;
  return {
    ...common,
    activity: charging ? 'charging' : 'parked',
    powerKw: s.kind === 'fuel' ? 0 : -powerKw,
    plugged: true,
    chargeKind: s.kind,
    chargingState: charging ? 'Charging' : 'Complete',
    chargerPowerKw: powerKw,
    chargerVolts: s.kind === 'fuel' ? 0 : volts,
    chargerAmps: s.kind === 'fuel' || !charging ? 0 : (powerKw * 1000) / volts,
    chargeLimitPct: s.limitPct,
    chargeEnergyAdded: energy - s.startEnergy,
    hoursToFull: charging ? (s.fullAt - t) / 3_600_000 : 0,
    chargeRateKw: charging ? phase.ratePerMs * 3_600_000 : 0,
    idleSince: charging ? null : Math.max(seg.start, s.fullAt),
  };
}
