// Formatting for people: times, durations, amounts of DIMO, signal values.
export function dateTime(ms: number | null | undefined): string {
  if (!ms) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeOnly(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return 'never';
  const s = Math.round((now - ms) / 1000);
  if (s < 0) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** Wei (decimal string) as DIMO with thousands separators, up to 2 decimals. */
export function dimo(wei: string | bigint | null | undefined): string {
  if (wei === null || wei === undefined) return '—';
  const v = BigInt(wei);
  const whole = v / 10n ** 18n;
  const frac = Number((v % 10n ** 18n) / 10n ** 16n);
  return `${whole.toLocaleString('en-US')}${frac ? `.${String(frac).padStart(2, '0').replace(/0$/, '')}` : ''} DIMO`;
}

export function ratio(r: string | null | undefined): string {
  if (r === null || r === undefined) return 'unknown';
  const n = Number(r);
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 2 }) : r;
}

export function value(v: number | string | undefined, unit?: string | null, decimals?: number): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') {
    const s = decimals !== undefined ? v.toFixed(decimals) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2).replace(/\.?0+$/, '') || '0';
    const u = unitSymbol(unit);
    return u ? (u === '%' || u.startsWith('°') ? `${s} ${u}`.replace(' %', '%').replace(' °', '°') : `${s} ${u}`) : s;
  }
  return String(v);
}

export function shortAddress(a: string | null | undefined): string {
  if (!a) return '—';
  return `${a.slice(0, 6)}…${a.slice(-4)}`;
}

const FRIENDLY: Record<string, string> = {
  speed: 'Speed',
  powertrainTractionBatteryStateOfChargeCurrent: 'Battery charge',
  powertrainFuelSystemRelativeLevel: 'Fuel level',
  powertrainRange: 'Range',
  powertrainTransmissionTravelledDistance: 'Odometer',
  exteriorAirTemperature: 'Outside temperature',
  cabinTemperature: 'Cabin temperature',
  chassisAxleRow1WheelLeftTirePressure: 'Tire pressure, front left',
  chassisAxleRow1WheelRightTirePressure: 'Tire pressure, front right',
  chassisAxleRow2WheelLeftTirePressure: 'Tire pressure, rear left',
  chassisAxleRow2WheelRightTirePressure: 'Tire pressure, rear right',
  powertrainTractionBatteryChargingIsCharging: 'Charging',
  powertrainTractionBatteryChargingAddedEnergy: 'Energy added while charging',
  powertrainTractionBatteryChargingChargeLimit: 'Charge limit',
  powertrainTractionBatteryCurrentPower: 'Battery power',
  bodyLockIsLocked: 'Locked',
  isIgnitionOn: 'Ignition on',
  currentLocationHeading: 'Heading',
  currentLocationAltitude: 'Altitude',
};

const UNITS: Record<string, string> = { percent: '%', celsius: '°C', degrees: '°' };

/** Short unit symbols for display: percent → %, celsius → °C. */
export function unitSymbol(unit: string | null | undefined): string | undefined {
  if (!unit) return undefined;
  return UNITS[unit] ?? unit;
}

/** A signal's name for people: a friendly name for common ones, else its VSS name as words. */
export function signalLabel(name: string): string {
  if (FRIENDLY[name]) return FRIENDLY[name]!;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/(Row)(\d)/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
