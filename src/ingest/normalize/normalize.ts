// Turns the `signals` of a dimo.status event into typed samples. Every bad signal is rejected with its
// own code and reason while the good ones beside it are kept: numeric strings are coerced, booleans
// become 0/1, repeated (name, timestamp) pairs collapse to the last, latitude/longitude halves within
// 500 ms fuse into one location, and (0, 0) is dropped.
import type { ErrorCode } from '../../core/errors.ts';
import { parseTimestamp } from '../envelope/time.ts';
import { LOCATION, type SignalCatalog, type SignalDef } from './signal-catalog.ts';

export interface SignalRejection {
  /** Position in data.signals. */
  index: number;
  name: string | undefined;
  code: ErrorCode;
  message: string;
}

export interface LocationPoint {
  ts: number;
  lat: number;
  lng: number;
  /** Set by the privacy stage when the point was moved to a coarse cell centre. */
  redacted?: boolean;
}

export interface NormalizedSignals {
  /** Non-location samples, flat: [signalId, ts, value, signalId, ts, value, …]. */
  samples: Array<number | string>;
  /** Location-class scalars (altitude, heading…), same flat layout; stored in the location stream. */
  locationSamples: Array<number | string>;
  points: LocationPoint[];
  rejected: SignalRejection[];
  /** Repeated (name, timestamp) pairs that were collapsed into one. */
  collapsed: number;
}

export interface NormalizeRules {
  now: number;
  maxFutureMs: number;
  maxAgeMs: number;
  /** Fallback timestamp for signals without one (the event's time). */
  eventTime: number;
}

/** Latitude and longitude reported this close together are one location. */
export const FUSE_WINDOW_MS = 500;
export const MAX_SIGNALS_PER_EVENT = 2000;
const NUMERIC = /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Reused across calls (normalisation is synchronous): one Map allocation per event adds up. */
const SEEN = new Map<number, number>();
/**
 * Which catalogue ids already have a sample in the current call (SEEN_IN[id] === call). Signals of one
 * event rarely repeat a name, so the (name, timestamp) map is only built once one does.
 */
const SEEN_IN = new Uint32Array(512);
let call = 0;

function reject(out: NormalizedSignals, index: number, name: string | undefined, code: ErrorCode, message: string): void {
  out.rejected.push({ index, name, code, message });
}

/** The stored value, or an error message. */
function coerce(def: SignalDef, value: unknown): number | string | { error: ErrorCode; message: string } {
  if (def.type === 'string') {
    if (typeof value !== 'string') return { error: 'ODM_ERR_SIGNAL_TYPE', message: `${def.name} takes a string` };
    if (value.length > def.maxLength) return { error: 'ODM_ERR_SIGNAL_OUT_OF_RANGE', message: `${def.name} is longer than ${def.maxLength} characters` };
    return value;
  }
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && NUMERIC.test(value)) n = Number(value);
  else if (def.type === 'boolean' && typeof value === 'boolean') n = value ? 1 : 0;
  else if (def.type === 'boolean' && (value === 'true' || value === 'false')) n = value === 'true' ? 1 : 0;
  else return { error: 'ODM_ERR_SIGNAL_TYPE', message: `${def.name} takes a ${def.type === 'boolean' ? 'boolean (true/false or 0/1)' : 'number'}` };
  if (!Number.isFinite(n)) return { error: 'ODM_ERR_SIGNAL_TYPE', message: `${def.name} must be a finite number` };
  if (def.type === 'boolean') {
    if (n !== 0 && n !== 1) return { error: 'ODM_ERR_SIGNAL_OUT_OF_RANGE', message: `${def.name} must be 0 or 1` };
    return n;
  }
  if ((def.type === 'int' || def.type === 'uint') && !Number.isInteger(n)) {
    return { error: 'ODM_ERR_SIGNAL_TYPE', message: `${def.name} takes an integer` };
  }
  if (n < def.min || n > def.max) {
    return { error: 'ODM_ERR_SIGNAL_OUT_OF_RANGE', message: `${def.name} must be within [${def.min}, ${def.max}]${def.unit ? ` ${def.unit}` : ''}` };
  }
  return n;
}

function validLatLng(lat: unknown, lng: unknown): boolean {
  return typeof lat === 'number' && typeof lng === 'number' && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
}

export function normalizeSignals(catalog: SignalCatalog, signals: unknown, rules: NormalizeRules): NormalizedSignals | { error: ErrorCode; message: string } {
  if (!Array.isArray(signals)) return { error: 'ODM_ERR_DATA_INVALID', message: 'data.signals must be an array' };
  if (signals.length > MAX_SIGNALS_PER_EVENT) {
    return { error: 'ODM_ERR_DATA_INVALID', message: `at most ${MAX_SIGNALS_PER_EVENT} signals per event` };
  }
  const out: NormalizedSignals = { samples: [], locationSamples: [], points: [], rejected: [], collapsed: 0 };
  // Position of each (signal, ts) already kept, to collapse repeats onto the last value; filled in
  // only once some signal name comes twice.
  const seen = SEEN;
  let keyed = false;
  if (++call === 0xffffffff) {
    SEEN_IN.fill(0);
    call = 1;
  }
  let halves: Array<{ index: number; isLat: boolean; ts: number; value: number; used: boolean }> | undefined;
  let lastText: unknown;
  let lastTs = NaN;
  const latest = rules.now + rules.maxFutureMs;
  const earliest = rules.now - rules.maxAgeMs;

  for (let i = 0; i < signals.length; i++) {
    const s = signals[i] as { name?: unknown; timestamp?: unknown; value?: unknown } | null;
    if (typeof s !== 'object' || s === null) {
      reject(out, i, undefined, 'ODM_ERR_SIGNAL_INVALID', 'each signal must be an object {name, timestamp, value}');
      continue;
    }
    const name = s.name;
    if (typeof name !== 'string') {
      reject(out, i, undefined, 'ODM_ERR_SIGNAL_INVALID', 'signal name must be a string');
      continue;
    }
    const def = catalog.byName.get(name);
    if (!def) {
      reject(out, i, name.slice(0, 100), 'ODM_ERR_SIGNAL_UNKNOWN', `${name.slice(0, 100)} is not a signal in the catalogue`);
      continue;
    }
    // Signals of one event usually share a timestamp: parse each distinct text once.
    let ts: number;
    if (s.timestamp === undefined) ts = rules.eventTime;
    else if (s.timestamp === lastText) ts = lastTs;
    else {
      ts = parseTimestamp(s.timestamp);
      if (typeof s.timestamp === 'string') {
        lastText = s.timestamp;
        lastTs = ts;
      }
    }
    if (Number.isNaN(ts)) {
      reject(out, i, name, 'ODM_ERR_SIGNAL_TIMESTAMP_INVALID', 'timestamp must be RFC 3339 or epoch milliseconds');
      continue;
    }
    if (ts > latest) {
      reject(out, i, name, 'ODM_ERR_TIME_IN_FUTURE', `timestamp is more than ${Math.round(rules.maxFutureMs / 1000)} s in the future`);
      continue;
    }
    if (ts < earliest) {
      reject(out, i, name, 'ODM_ERR_TIME_TOO_OLD', 'timestamp is older than this node accepts');
      continue;
    }

    if (def.id === catalog.coordinates) {
      const v = s.value as { latitude?: unknown; longitude?: unknown } | null;
      if (typeof v !== 'object' || v === null || !validLatLng(v.latitude, v.longitude)) {
        reject(out, i, name, 'ODM_ERR_SIGNAL_TYPE', `${name} takes {latitude: -90..90, longitude: -180..180}`);
        continue;
      }
      if (v.latitude === 0 && v.longitude === 0) {
        reject(out, i, name, 'ODM_ERR_LOCATION_NULL_ISLAND', 'a location of (0, 0) is a missing GPS fix and is dropped');
        continue;
      }
      out.points.push({ ts, lat: v.latitude as number, lng: v.longitude as number });
      continue;
    }
    const value = coerce(def, s.value);
    if (typeof value === 'object') {
      reject(out, i, name, value.error, value.message);
      continue;
    }
    if (def.id === catalog.latitude || def.id === catalog.longitude) {
      (halves ??= []).push({ index: i, isLat: def.id === catalog.latitude, ts, value: value as number, used: false });
      continue;
    }
    const target = def.privilege === LOCATION ? out.locationSamples : out.samples;
    if (SEEN_IN[def.id] !== call) {
      SEEN_IN[def.id] = call;
      if (keyed) seen.set(ts * 512 + def.id, target.length);
      target.push(def.id, ts, value);
      continue;
    }
    if (!keyed) {
      keyed = true;
      seen.clear();
      index(seen, out.samples);
      index(seen, out.locationSamples);
    }
    // Exact while ts < 2^44 ms (year 2527) and the catalogue has < 512 signals.
    const key = ts * 512 + def.id;
    const at = seen.get(key);
    if (at !== undefined && target[at] === def.id) {
      target[at + 2] = value;
      out.collapsed++;
      continue;
    }
    seen.set(key, target.length);
    target.push(def.id, ts, value);
  }
  if (keyed) seen.clear();
  if (halves) fuse(out, halves);
  return out;
}

/** Adds the (signal, ts) key of each flat [id, ts, value] sample to `seen`. */
function index(seen: Map<number, number>, flat: Array<number | string>): void {
  for (let at = 0; at < flat.length; at += 3) seen.set((flat[at + 1] as number) * 512 + (flat[at] as number), at);
}

/** Pairs each latitude with the nearest unused longitude within the fuse window. */
function fuse(out: NormalizedSignals, halves: Array<{ index: number; isLat: boolean; ts: number; value: number; used: boolean }>): void {
  for (const lat of halves) {
    if (!lat.isLat) continue;
    let best: (typeof halves)[number] | undefined;
    for (const lng of halves) {
      if (lng.isLat || lng.used) continue;
      const gap = Math.abs(lng.ts - lat.ts);
      if (gap <= FUSE_WINDOW_MS && (!best || gap < Math.abs(best.ts - lat.ts))) best = lng;
    }
    if (!best) continue;
    lat.used = best.used = true;
    if (lat.value === 0 && best.value === 0) {
      reject(out, lat.index, 'currentLocationLatitude', 'ODM_ERR_LOCATION_NULL_ISLAND', 'a location of (0, 0) is a missing GPS fix and is dropped');
      reject(out, best.index, 'currentLocationLongitude', 'ODM_ERR_LOCATION_NULL_ISLAND', 'a location of (0, 0) is a missing GPS fix and is dropped');
      continue;
    }
    out.points.push({ ts: Math.max(lat.ts, best.ts), lat: lat.value, lng: best.value });
  }
  for (const h of halves) {
    if (h.used) continue;
    const name = h.isLat ? 'currentLocationLatitude' : 'currentLocationLongitude';
    reject(out, h.index, name, 'ODM_ERR_LOCATION_UNPAIRED', `${name} has no ${h.isLat ? 'longitude' : 'latitude'} within ${FUSE_WINDOW_MS} ms to form a location`);
  }
  out.rejected.sort((a, b) => a.index - b.index);
}
