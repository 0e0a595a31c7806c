// Smartcar batch items → VSS signals in the catalogue's units, stamped with the item's `SC-Data-Age`
// (when the car reported those values), never the fetch time. Metric answers pass through (distances
// rounded to 3 decimals); imperial ones (`SC-Unit-System: imperial`) are converted: miles → km,
// psi → kPa (2 decimals), US gallons → litres (3 decimals). Fractions (0–1) become percent.
import { KM_PER_MILE, KPA_PER_PSI, LITRES_PER_US_GALLON, round, type Signal } from '../oem-types.ts';
import type { BatchItem } from './smartcar-api.ts';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export type UnitSystem = 'metric' | 'imperial';

export const distanceKm = (v: number, units: UnitSystem): number => round(units === 'imperial' ? v * KM_PER_MILE : v, 3);
export const pressureKpa = (v: number, units: UnitSystem): number => round(units === 'imperial' ? v * KPA_PER_PSI : v, 2);
export const volumeLitres = (v: number, units: UnitSystem): number => round(units === 'imperial' ? v * LITRES_PER_US_GALLON : v, 3);
export const fractionToPercent = (v: number): number => round(v * 100, 2);

/** The time the item's values were reported (SC-Data-Age), or `fallback`. */
export function dataAge(item: BatchItem, fallback: number): number {
  const t = Date.parse(item.headers['sc-data-age'] ?? '');
  return Number.isFinite(t) ? t : fallback;
}

/** Signals of one successful item. */
export function smartcarSignals(item: BatchItem, timestamp: number): Signal[] {
  const units: UnitSystem = item.headers['sc-unit-system'] === 'imperial' ? 'imperial' : 'metric';
  const b = (item.body ?? {}) as Record<string, unknown>;
  const out: Signal[] = [];
  const push = (name: string, value: number | undefined | boolean | { latitude: number; longitude: number }) => {
    if (value === undefined) return;
    out.push({ name, timestamp, value: typeof value === 'boolean' ? (value ? 1 : 0) : value });
  };
  const n = (k: string) => num(b[k]);
  switch (item.path) {
    case '/odometer': {
      const d = n('distance');
      push('powertrainTransmissionTravelledDistance', d === undefined ? undefined : distanceKm(d, units));
      break;
    }
    case '/battery': {
      const p = n('percentRemaining');
      const r = n('range');
      push('powertrainTractionBatteryStateOfChargeCurrent', p === undefined ? undefined : fractionToPercent(p));
      push('powertrainRange', r === undefined ? undefined : distanceKm(r, units));
      break;
    }
    case '/charge': {
      if (typeof b.isPluggedIn === 'boolean') push('powertrainTractionBatteryChargingIsChargingCableConnected', b.isPluggedIn);
      if (typeof b.state === 'string') push('powertrainTractionBatteryChargingIsCharging', b.state === 'CHARGING');
      break;
    }
    case '/fuel': {
      const r = n('range');
      const p = n('percentRemaining');
      const a = n('amountRemaining');
      push('powertrainRange', r === undefined ? undefined : distanceKm(r, units));
      push('powertrainFuelSystemRelativeLevel', p === undefined ? undefined : fractionToPercent(p));
      push('powertrainFuelSystemAbsoluteLevel', a === undefined ? undefined : volumeLitres(a, units));
      break;
    }
    case '/location': {
      const lat = n('latitude');
      const lng = n('longitude');
      if (lat !== undefined && lng !== undefined) push('currentLocationCoordinates', { latitude: lat, longitude: lng });
      break;
    }
    case '/tires/pressure': {
      const map: Array<[string, string]> = [
        ['frontLeft', 'chassisAxleRow1WheelLeftTirePressure'],
        ['frontRight', 'chassisAxleRow1WheelRightTirePressure'],
        ['backLeft', 'chassisAxleRow2WheelLeftTirePressure'],
        ['backRight', 'chassisAxleRow2WheelRightTirePressure'],
      ];
      for (const [k, name] of map) {
        const v = n(k);
        push(name, v === undefined ? undefined : pressureKpa(v, units));
      }
      break;
    }
    case '/security': {
      if (typeof b.isLocked === 'boolean') push('bodyLockIsLocked', b.isLocked);
      break;
    }
    default:
      break;
  }
  return out;
}
