// Tesla vehicle_data → VSS signals in the catalogue's units, each stamped with its section's own
// `timestamp` (ms), never the fetch time. Tesla answers in miles, mph and bar whatever the car's GUI
// shows: odometer and ranges mi → km (3 and 2 decimals), speed mph → km/h (2 decimals), tire pressure
// bar → kPa (1 decimal: bar comes with 3), power kW → W. A section whose timestamp was already emitted
// for this vehicle is skipped (see `sections`), so a retried poll never emits a record twice.
import { KM_PER_MILE, KPA_PER_BAR, round, type Signal } from '../oem-types.ts';

export interface TeslaSections {
  charge_state?: Record<string, unknown>;
  climate_state?: Record<string, unknown>;
  drive_state?: Record<string, unknown>;
  vehicle_state?: Record<string, unknown>;
}

export type TeslaActivity = 'driving' | 'charging' | 'parked';

const SECTIONS = ['charge_state', 'climate_state', 'drive_state', 'vehicle_state'] as const;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export const milesToKm = (mi: number, digits: number): number => round(mi * KM_PER_MILE, digits);
export const mphToKph = (mph: number): number => round(mph * KM_PER_MILE, 2);
export const barToKpa = (bar: number): number => round(bar * KPA_PER_BAR, 1);

/** Section timestamps of a vehicle_data answer. */
export function sectionTimes(r: TeslaSections): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of SECTIONS) {
    const t = num(r[s]?.timestamp);
    if (t !== undefined) out[s] = t;
  }
  return out;
}

/** What the car is doing, from one answer. */
export function teslaActivity(r: TeslaSections): TeslaActivity {
  const shift = r.drive_state?.shift_state;
  const speed = num(r.drive_state?.speed) ?? 0;
  if (shift === 'D' || shift === 'R' || shift === 'N' || speed > 0) return 'driving';
  if (r.charge_state?.charging_state === 'Charging' || r.charge_state?.charging_state === 'Starting') return 'charging';
  return 'parked';
}

/** Signals of the sections newer than `emitted` (section → newest timestamp already emitted). */
export function teslaSignals(r: TeslaSections, emitted: Record<string, number> = {}): Signal[] {
  const out: Signal[] = [];
  const fresh = (s: (typeof SECTIONS)[number]): number | undefined => {
    const t = num(r[s]?.timestamp);
    return t !== undefined && t > (emitted[s] ?? -Infinity) ? t : undefined;
  };
  const push = (name: string, timestamp: number, value: number | undefined | boolean | { latitude: number; longitude: number }) => {
    if (value === undefined) return;
    out.push({ name, timestamp, value: typeof value === 'boolean' ? (value ? 1 : 0) : value });
  };

  const cs = r.charge_state;
  const ct = fresh('charge_state');
  if (cs && ct !== undefined) {
    const charging = cs.charging_state === 'Charging';
    push('powertrainTractionBatteryStateOfChargeCurrent', ct, num(cs.battery_level));
    const range = num(cs.battery_range);
    push('powertrainRange', ct, range === undefined ? undefined : milesToKm(range, 2));
    push('powertrainTractionBatteryChargingIsCharging', ct, charging);
    if (typeof cs.charge_port_latch === 'string') push('powertrainTractionBatteryChargingIsChargingCableConnected', ct, cs.charge_port_latch === 'Engaged');
    push('powertrainTractionBatteryChargingChargeLimit', ct, num(cs.charge_limit_soc));
    push('powertrainTractionBatteryChargingAddedEnergy', ct, num(cs.charge_energy_added));
    push('powertrainTractionBatteryChargingPower', ct, num(cs.charger_power));
    if (charging) {
      push('powertrainTractionBatteryChargingChargeVoltageUnknownType', ct, num(cs.charger_voltage));
      if (cs.fast_charger_present !== true) push('powertrainTractionBatteryChargingChargeCurrentAC', ct, num(cs.charger_actual_current));
    }
  }

  const cl = r.climate_state;
  const clt = fresh('climate_state');
  if (cl && clt !== undefined) push('exteriorAirTemperature', clt, num(cl.outside_temp));

  const ds = r.drive_state;
  const dt = fresh('drive_state');
  if (ds && dt !== undefined) {
    const speed = num(ds.speed);
    const moving = ds.shift_state === 'D' || ds.shift_state === 'R' || ds.shift_state === 'N';
    // Tesla leaves speed null when the car is in park: that is a speed of 0.
    push('speed', dt, speed === undefined ? (moving ? undefined : 0) : mphToKph(speed));
    const power = num(ds.power);
    push('powertrainTractionBatteryCurrentPower', dt, power === undefined ? undefined : power * 1000);
    const lat = num(ds.latitude);
    const lng = num(ds.longitude);
    if (lat !== undefined && lng !== undefined) {
      push('currentLocationCoordinates', dt, { latitude: lat, longitude: lng });
      push('currentLocationHeading', dt, num(ds.heading));
    }
  }

  const vs = r.vehicle_state;
  const vt = fresh('vehicle_state');
  if (vs && vt !== undefined) {
    const odo = num(vs.odometer);
    push('powertrainTransmissionTravelledDistance', vt, odo === undefined ? undefined : milesToKm(odo, 3));
    if (typeof vs.locked === 'boolean') push('bodyLockIsLocked', vt, vs.locked);
    const tires: Array<[string, string]> = [
      ['tpms_pressure_fl', 'chassisAxleRow1WheelLeftTirePressure'],
      ['tpms_pressure_fr', 'chassisAxleRow1WheelRightTirePressure'],
      ['tpms_pressure_rl', 'chassisAxleRow2WheelLeftTirePressure'],
      ['tpms_pressure_rr', 'chassisAxleRow2WheelRightTirePressure'],
    ];
    for (const [field, name] of tires) {
      const bar = num(vs[field]);
      push(name, vt, bar === undefined ? undefined : barToKpa(bar));
    }
  }
  return out;
}
