// The signal fields the telemetry schema exposes, derived from the node's signal catalogue: where each
// one's data lives in the vault and which privileges read it. Non-location signals need privilege 1;
// exact location (coordinates, latitude/longitude, altitude, heading…) needs 4, and the latest value
// also 3 (current location); the approximate location (H3 cell centre) needs 8 or 4 (or 3 for latest).
import type { SignalCatalog } from '../../ingest/normalize/signal-catalog.ts';
import { LOCATION } from '../../ingest/normalize/signal-catalog.ts';

export type FieldType = 'float' | 'string' | 'location';

/** Where a field's values come from. */
export type FieldSource = 'samples' | 'locationSamples' | 'pointLat' | 'pointLng' | 'points' | 'approximate';

export interface Need {
  /** Every one of these privileges… */
  all?: number[];
  /** …or (when set) any one of these. */
  any?: number[];
}

export interface SignalField {
  name: string;
  type: FieldType;
  source: FieldSource;
  vss: string;
  unit: string | undefined;
  /** Privilege class from the catalogue: 1 or 4 (8 for the approximate location). */
  privilege: number;
}

export const APPROXIMATE_FIELD = 'currentLocationApproximateCoordinates';

export const PRIVILEGE_ENUM: Record<number, string> = {
  1: 'VEHICLE_NON_LOCATION_DATA',
  2: 'VEHICLE_COMMANDS',
  3: 'VEHICLE_CURRENT_LOCATION',
  4: 'VEHICLE_ALL_TIME_LOCATION',
  5: 'VEHICLE_VIN_CREDENTIAL',
  6: 'VEHICLE_LIVE_DATA',
  7: 'VEHICLE_RAW_DATA',
  8: 'VEHICLE_APPROXIMATE_LOCATION',
};

export function signalFields(catalog: SignalCatalog): Map<string, SignalField> {
  const out = new Map<string, SignalField>();
  for (const s of catalog.signals) {
    let source: FieldSource;
    if (s.id === catalog.coordinates) source = 'points';
    else if (s.id === catalog.latitude) source = 'pointLat';
    else if (s.id === catalog.longitude) source = 'pointLng';
    else source = s.privilege === LOCATION ? 'locationSamples' : 'samples';
    const type: FieldType = s.type === 'location' ? 'location' : s.type === 'string' ? 'string' : 'float';
    out.set(s.name, { name: s.name, type, source, vss: s.vss, unit: s.unit, privilege: s.privilege });
  }
  out.set(APPROXIMATE_FIELD, { name: APPROXIMATE_FIELD, type: 'location', source: 'approximate', vss: 'Vehicle.CurrentLocation (approximate)', unit: 'degrees', privilege: 8 });
  return out;
}

const needs = new WeakMap<SignalField, { history: Need; latest: Need }>();

/** Privileges that read a field: history (aggregations, segments) or its latest value. */
export function needFor(field: SignalField, mode: 'history' | 'latest'): Need {
  let n = needs.get(field);
  if (!n) {
    if (field.source === 'approximate') n = { history: { any: [8, 4] }, latest: { any: [8, 4, 3] } };
    else if (field.privilege === LOCATION) n = { history: { all: [4] }, latest: { any: [4, 3] } };
    else n = { history: { all: [field.privilege] }, latest: { all: [field.privilege] } };
    needs.set(field, n);
  }
  return n[mode];
}

export function needText(need: Need): string {
  const name = (p: number) => `${p} (${PRIVILEGE_ENUM[p]})`;
  if (need.any) return need.any.map(name).join(' or ');
  return (need.all ?? []).map(name).join(' and ');
}
