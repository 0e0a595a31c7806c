// What one live update carries, cut to what the app may read. A stored batch holds one or more events
// of one vehicle; each event becomes one update. Non-location signals need privilege 1; location-class
// signals (coordinates, altitude, heading…) need 3 or 4; currentLocationApproximateCoordinates (the
// centre of the H3 resolution-6 cell, as the telemetry API computes it) needs 3, 4 or 8 — so with only 8
// an app sees where the car roughly is and nothing more. Fields an app may not read are simply absent
// (null in GraphQL).
import { approximate } from '../api/telemetry/approximate-location.ts';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { TelemetryEvent } from '../ingest/pipeline/stored-telemetry.ts';

export const NON_LOCATION_PRIVILEGE = 1;
export const CURRENT_LOCATION_PRIVILEGE = 3;
export const ALLTIME_LOCATION_PRIVILEGE = 4;
export const LIVE_PRIVILEGE = 6;
export const APPROXIMATE_LOCATION_PRIVILEGE = 8;
export const APPROXIMATE_FIELD = 'currentLocationApproximateCoordinates';

export interface LiveSignal {
  name: string;
  /** Epoch ms (the schema's Time scalar renders RFC 3339). */
  timestamp: number;
  valueNumber: number | null;
  valueString: string | null;
  valueLocation: LiveLocation | null;
}

export interface LiveLocation {
  latitude: number;
  longitude: number;
  /** Not reported for fused points: 0, as the telemetry API answers then. */
  hdop: number;
}

export interface LiveUpdate {
  tokenId: number;
  cloudEventId: string;
  source: string;
  producer: string;
  type: string;
  /** The event's time, epoch ms. */
  lastSeen: number;
  signals: LiveSignal[];
  /** True when the exact coordinates were moved by a privacy zone (the owner's choice). */
  approximateLocation: boolean;
  /** Per-signal fields (`speed: {timestamp, value}`, timestamp epoch ms), the latest sample of each in this event. */
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

/** One readable sample, kept raw until a subscriber's selection asks for the `signals` list. */
interface Part {
  name: string;
  timestamp: number;
  value: number | string | undefined;
  point: { latitude: number; longitude: number } | undefined;
  /** The approximate-location field: the point's H3 cell centre, computed only when read. */
  rough: boolean;
}

function toSignal(p: Part): LiveSignal {
  if (p.point) {
    const at = p.rough ? approximate(p.point.latitude, p.point.longitude) : p.point;
    return { name: p.name, timestamp: p.timestamp, valueNumber: null, valueString: null, valueLocation: { latitude: at.latitude, longitude: at.longitude, hdop: 0 } };
  }
  const numeric = typeof p.value === 'number';
  return { name: p.name, timestamp: p.timestamp, valueNumber: numeric ? (p.value as number) : null, valueString: numeric ? null : (p.value as string), valueLocation: null };
}

/**
 * The update for one event under a view, or undefined when nothing in it is readable (an update with
 * no signals tells the app nothing it may know, not even that the car is alive). Per-signal fields are
 * plain properties; the `signals` list and the approximate location are computed only if a subscriber's
 * selection reads them (most ask for a few fields, at thousands of updates a second).
 */
export function buildUpdate(tokenId: number, event: TelemetryEvent, view: LiveView, catalog: SignalCatalog): LiveUpdate | undefined {
  if (view.source !== undefined && event.source !== view.source) return undefined;
  const parts: Part[] = [];
  const update = { tokenId, cloudEventId: event.id, source: event.source, producer: event.producer, type: event.type, lastSeen: event.time, approximateLocation: false } as LiveUpdate;
  const want = (name: string) => view.names === undefined || view.names.has(name);
  const add = (name: string, timestamp: number, value: number | string) => {
    parts.push({ name, timestamp, value, point: undefined, rough: false });
    latest(update, name, timestamp, value);
  };
  if (view.nonLocation) {
    for (const s of event.signals) if (want(s.name)) add(s.name, s.timestamp, s.value);
  }
  if (view.location === 'exact') {
    for (const s of event.locationSignals) if (want(s.name)) add(s.name, s.timestamp, s.value);
  }
  let roughest: { timestamp: number; point: { latitude: number; longitude: number } } | undefined;
  if (view.location !== 'none' && event.locations.length > 0) {
    const exact = view.location === 'exact' && want('currentLocationCoordinates');
    const rough = want(APPROXIMATE_FIELD);
    const name = catalog.signals[catalog.coordinates]!.name;
    for (const p of event.locations) {
      const point = { latitude: p.latitude, longitude: p.longitude };
      if (exact) {
        parts.push({ name, timestamp: p.timestamp, value: undefined, point, rough: false });
        latest(update, name, p.timestamp, { ...point, hdop: 0 } satisfies LiveLocation);
        if (p.redacted) update.approximateLocation = true;
      }
      if (rough) {
        parts.push({ name: APPROXIMATE_FIELD, timestamp: p.timestamp, value: undefined, point, rough: true });
        if (!roughest || roughest.timestamp <= p.timestamp) roughest = { timestamp: p.timestamp, point };
      }
    }
  }
  if (parts.length === 0) return undefined;
  let list: LiveSignal[] | undefined;
  Object.defineProperty(update, 'signals', { enumerable: true, get: () => (list ??= parts.map(toSignal)) });
  if (roughest) {
    const r = roughest;
    let value: { timestamp: number; value: LiveLocation } | undefined;
    Object.defineProperty(update, APPROXIMATE_FIELD, { enumerable: true, get: () => (value ??= { timestamp: r.timestamp, value: { ...approximate(r.point.latitude, r.point.longitude), hdop: 0 } }) });
  }
  return update;
}

function latest(update: LiveUpdate, name: string, timestamp: number, value: unknown): void {
  const prev = update[name] as { timestamp: number } | undefined;
  if (prev === undefined || prev.timestamp <= timestamp) update[name] = { timestamp, value };
}
