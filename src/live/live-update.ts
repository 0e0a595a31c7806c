// What one live update carries, cut to what the app may read. A stored batch holds one or more events
// of one vehicle; each event becomes one update. Non-location signals need privilege 1; location-class
// signals (coordinates, altitude, heading…) need 3 or 4; with only 8, the coordinates are the centre of
// their H3 resolution-6 cell, as for currentLocationApproximateCoordinates, and other location signals
// are withheld. Fields an app may not read are simply absent (null in GraphQL).
import { cellToLatLng, latLngToCell } from 'h3-js';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { TelemetryEvent } from '../ingest/pipeline/stored-telemetry.ts';

export const NON_LOCATION_PRIVILEGE = 1;
export const CURRENT_LOCATION_PRIVILEGE = 3;
export const ALLTIME_LOCATION_PRIVILEGE = 4;
export const LIVE_PRIVILEGE = 6;
export const APPROXIMATE_LOCATION_PRIVILEGE = 8;
export const APPROXIMATE_RESOLUTION = 6;

export interface LiveSignal {
  name: string;
  /** RFC 3339. */
  timestamp: string;
  valueNumber: number | null;
  valueString: string | null;
  valueLocation: LiveLocation | null;
}

export interface LiveLocation {
  latitude: number;
  longitude: number;
  /** Not known for fused points; kept for the shape of DIMO's Location. */
  hdop: number | null;
}

export interface LiveUpdate {
  tokenId: number;
  cloudEventId: string;
  source: string;
  producer: string;
  type: string;
  /** The event's time, RFC 3339. */
  lastSeen: string;
  signals: LiveSignal[];
  /** True when coordinates were approximated (privilege 8 only) or redacted by a privacy zone. */
  approximateLocation: boolean;
  /** Per-signal fields (`speed: {timestamp, value}`), the latest sample of each in this event. */
  [signal: string]: unknown;
}

export type FieldAccess = 'none' | 'approximate' | 'exact';

export interface LiveView {
  /** Non-location signals readable. */
  nonLocation: boolean;
  location: FieldAccess;
  /** Only these signal names (undefined: all). */
  names: ReadonlySet<string> | undefined;
  /** Only events from this source (undefined: all). */
  source: string | undefined;
}

/** What a set of held privileges lets a stream read. */
export function viewOf(held: readonly number[], filter: { names?: readonly string[] | null; source?: string | null } = {}): LiveView {
  const has = (p: number) => held.includes(p);
  return {
    nonLocation: has(NON_LOCATION_PRIVILEGE),
    location: has(CURRENT_LOCATION_PRIVILEGE) || has(ALLTIME_LOCATION_PRIVILEGE) ? 'exact' : has(APPROXIMATE_LOCATION_PRIVILEGE) ? 'approximate' : 'none',
    names: filter.names && filter.names.length > 0 ? new Set(filter.names) : undefined,
    source: filter.source ?? undefined,
  };
}

/** A key equal for views that build equal updates, so streams alike share one build per batch. */
export function viewKey(v: LiveView): string {
  return `${v.nonLocation ? 1 : 0}${v.location}|${v.source ?? ''}|${v.names ? [...v.names].sort().join(',') : '*'}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The update for one event under a view, or undefined when nothing in it is readable (an update with
 * no signals tells the app nothing it may know, not even that the car is alive).
 */
export function buildUpdate(tokenId: number, event: TelemetryEvent, view: LiveView, catalog: SignalCatalog): LiveUpdate | undefined {
  if (view.source !== undefined && event.source !== view.source) return undefined;
  const signals: LiveSignal[] = [];
  const update: LiveUpdate = {
    tokenId, cloudEventId: event.id, source: event.source, producer: event.producer, type: event.type, lastSeen: iso(event.time), signals, approximateLocation: false,
  };
  const want = (name: string) => view.names === undefined || view.names.has(name);
  const add = (name: string, ts: number, value: number | string) => {
    const timestamp = iso(ts);
    const numeric = typeof value === 'number';
    signals.push({ name, timestamp, valueNumber: numeric ? value : null, valueString: numeric ? null : value, valueLocation: null });
    const prev = update[name] as { ts: number } | undefined;
    if (prev === undefined || prev.ts <= ts) update[name] = { ts, timestamp, value };
  };
  if (view.nonLocation) {
    for (const s of event.signals) if (want(s.name)) add(s.name, s.timestamp, s.value);
  }
  if (view.location === 'exact') {
    for (const s of event.locationSignals) if (want(s.name)) add(s.name, s.timestamp, s.value);
  }
  if (view.location !== 'none' && want('currentLocationCoordinates')) {
    const name = catalog.signals[catalog.coordinates]!.name;
    for (const p of event.locations) {
      let { latitude, longitude } = p;
      if (view.location === 'approximate') [latitude, longitude] = cellToLatLng(latLngToCell(latitude, longitude, APPROXIMATE_RESOLUTION));
      if (view.location === 'approximate' || p.redacted) update.approximateLocation = true;
      const timestamp = iso(p.timestamp);
      const value: LiveLocation = { latitude, longitude, hdop: null };
      signals.push({ name, timestamp, valueNumber: null, valueString: null, valueLocation: value });
      const prev = update[name] as { ts: number } | undefined;
      if (prev === undefined || prev.ts <= p.timestamp) update[name] = { ts: p.timestamp, timestamp, value };
    }
  }
  return signals.length > 0 ? update : undefined;
}
