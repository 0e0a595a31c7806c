// Unit conversions and the rounding each API applies. The simulator works in SI-ish units (km, km/h,
// kPa, kWh, litres, °C); every API view converts from those with the functions here, so tests can
// recompute an answer to the digit from the simulator's truth.

export const KM_PER_MILE = 1.609344;
export const KPA_PER_PSI = 6.894757293168361;
export const KPA_PER_BAR = 100;
export const LITRES_PER_US_GALLON = 3.785411784;

export const kmToMiles = (km: number): number => km / KM_PER_MILE;
export const kphToMph = (kph: number): number => kph / KM_PER_MILE;
export const kpaToPsi = (kpa: number): number => kpa / KPA_PER_PSI;
export const kpaToBar = (kpa: number): number => kpa / KPA_PER_BAR;
export const litresToGallons = (l: number): number => l / LITRES_PER_US_GALLON;
export const celsiusToFahrenheit = (c: number): number => (c * 9) / 5 + 32;

/** Rounds half away from zero to `digits` decimals, without binary artefacts like 1.005 → 1.00. */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(Number(scaled.toPrecision(15))) / factor;
  return Math.sign(value) * rounded || 0;
}

/** The decimals each emulated API answers with (documented in emulator/README.md). */
export const PRECISION = {
  tesla: { odometerMi: 6, rangeMi: 2, tpmsBar: 3, latLng: 6, powerKw: 0, energyKwh: 2, tempC: 1, hoursToFull: 2 },
  smartcar: { distance: 2, range: 1, percent: 4, pressure: 2, fuelAmount: 2, latLng: 6, oil: 4 },
} as const;
