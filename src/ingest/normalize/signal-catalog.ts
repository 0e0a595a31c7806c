// The signal catalogue: VSS names as DIMO uses them, with type, unit, allowed range and privilege
// class. The entries live in signal-catalog.json (data, not code); this module validates and indexes it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const SIGNAL_TYPES = ['float', 'double', 'int', 'uint', 'boolean', 'string', 'location'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** Privilege 1: non-location telemetry; 4: all-time location (stored in the separate location stream). */
export const NON_LOCATION = 1;
export const LOCATION = 4;

const entry = z.object({
  name: z.string().regex(/^[a-z][A-Za-z0-9]{1,80}$/),
  vss: z.string().startsWith('Vehicle.'),
  type: z.enum(SIGNAL_TYPES),
  privilege: z.union([z.literal(NON_LOCATION), z.literal(LOCATION)]),
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().int().positive().optional(),
});
const file = z.object({ version: z.literal(1), signals: z.array(entry).min(1) });

export interface SignalDef {
  /** Position in the catalogue: the compact id stored with each sample. */
  id: number;
  name: string;
  vss: string;
  type: SignalType;
  privilege: typeof NON_LOCATION | typeof LOCATION;
  unit: string | undefined;
  min: number;
  max: number;
  maxLength: number;
  numeric: boolean;
}

export interface SignalCatalog {
  signals: readonly SignalDef[];
  byName: ReadonlyMap<string, SignalDef>;
  /** Ids of the fused-location inputs, looked up once. */
  coordinates: number;
  latitude: number;
  longitude: number;
}

export function buildCatalog(doc: unknown): SignalCatalog {
  const parsed = file.parse(doc);
  const signals: SignalDef[] = parsed.signals.map((s, id) => ({
    id,
    name: s.name,
    vss: s.vss,
    type: s.type,
    privilege: s.privilege,
    unit: s.unit,
    min: s.min ?? -Infinity,
    max: s.max ?? Infinity,
    maxLength: s.maxLength ?? 256,
    numeric: s.type !== 'string' && s.type !== 'location',
  }));
  const byName = new Map(signals.map((s) => [s.name, s]));
  if (byName.size !== signals.length) throw new Error('signal catalogue has duplicate names');
  if (signals.length >= 512) throw new Error('signal catalogue is limited to 511 signals (sample keys pack the id in 9 bits)');
  const need = (name: string) => {
    const def = byName.get(name);
    if (!def) throw new Error(`signal catalogue lacks ${name}`);
    return def.id;
  };
  return {
    signals,
    byName,
    coordinates: need('currentLocationCoordinates'),
    latitude: need('currentLocationLatitude'),
    longitude: need('currentLocationLongitude'),
  };
}

let defaultCatalog: SignalCatalog | undefined;

/** The catalogue shipped with the node (signal-catalog.json). */
export function loadDefaultCatalog(): SignalCatalog {
  defaultCatalog ??= buildCatalog(JSON.parse(readFileSync(new URL('./signal-catalog.json', import.meta.url), 'utf8')));
  return defaultCatalog;
}
