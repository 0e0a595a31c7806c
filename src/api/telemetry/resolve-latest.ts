// signalsLatest (and its older spelling SignalsLatest), availableSignals and dataSummary. Latest values
// come from the vault's latest records overlaid with values stored since the last compaction; each
// SignalCollection field checks its own privileges, so a field the token may not read is null with an
// error while the rest answers. Lists only ever name signals the caller may read.
import { approximate } from './approximate-location.ts';
import { APPROXIMATE_FIELD, needFor, type SignalField } from './signal-fields.ts';
import { charge, denial, requireAuth, requireNeed, requireVehicle, use, type TelemetryAuth, type TelemetryContext } from './telemetry-context.ts';
import { rejectSourceFilter } from './resolve-signals.ts';
import { eventsOf } from './resolve-events.ts';

type Value = [number, number | string];

export interface LatestData {
  signals: Map<string, Value>;
  locationSignals: Map<string, Value>;
  /** [ts, lat, lng] */
  point: [number, number, number] | undefined;
}

export interface CollectionParent {
  latest: LatestData;
}

function merge(into: Map<string, Value>, from: Iterable<[string, Value]> | undefined): void {
  if (!from) return;
  for (const [name, v] of from) {
    const cur = into.get(name);
    if (!cur || v[0] >= cur[0]) into.set(name, v);
  }
}

export async function loadLatest(ctx: TelemetryContext, auth: TelemetryAuth): Promise<LatestData> {
  const { view, recent } = ctx.telemetry();
  const { vehicleId, version } = auth.vault;
  const [vehicle, location] = await Promise.all([view.latest(vehicleId, version), view.latestLocation(vehicleId, version)]);
  const out: LatestData = { signals: new Map(Object.entries(vehicle?.signals ?? {})), locationSignals: new Map(Object.entries(location?.samples ?? {})), point: undefined };
  if (location?.point) out.point = [location.point[0], location.point[1], location.point[2]];
  const fresh = recent.get(vehicleId, version);
  if (fresh) {
    merge(out.signals, fresh.signals);
    merge(out.locationSignals, fresh.locationSignals);
    if (fresh.point && (!out.point || fresh.point[0] >= out.point[0])) out.point = fresh.point;
  }
  return out;
}

/** The latest [ts, value] of a field, or undefined. */
export function latestOf(data: LatestData, field: SignalField): [number, unknown] | undefined {
  switch (field.source) {
    case 'samples':
      return data.signals.get(field.name);
    case 'locationSamples':
      return data.locationSignals.get(field.name);
    case 'pointLat':
      return data.point && [data.point[0], data.point[1]];
    case 'pointLng':
      return data.point && [data.point[0], data.point[2]];
    case 'points':
      return data.point && [data.point[0], { latitude: data.point[1], longitude: data.point[2], hdop: 0 }];
    case 'approximate':
      return data.point && [data.point[0], { ...approximate(data.point[1], data.point[2]), hdop: 0 }];
  }
}

export async function resolveSignalsLatest(ctx: TelemetryContext, tokenId: unknown, filter: { source?: string | null } | null | undefined): Promise<CollectionParent> {
  const auth = requireAuth(ctx);
  requireVehicle(auth, tokenId);
  rejectSourceFilter(filter);
  charge(auth, 10, ctx.telemetry().maxCost, 'latest values');
  return { latest: await loadLatest(ctx, auth) };
}

/** Resolver of one SignalCollection field. */
export function latestField(ctx: TelemetryContext, parent: CollectionParent, field: SignalField): unknown {
  const auth = requireAuth(ctx);
  requireNeed(auth, needFor(field, 'latest'), field.name);
  const hit = latestOf(parent.latest, field);
  if (!hit) return null;
  const [timestamp, value] = hit;
  if (field.type === 'float' && typeof value !== 'number') return null;
  if (field.type === 'string' && typeof value !== 'string') return null;
  return { timestamp, value };
}

/** The newest timestamp among the fields the caller may read. */
export function lastSeen(ctx: TelemetryContext, parent: CollectionParent): number | null {
  const auth = requireAuth(ctx);
  const { fields } = ctx.telemetry();
  const { signals, locationSignals, point } = parent.latest;
  let last = -Infinity;
  const consider = (name: string, ts: number) => {
    const field = fields.get(name);
    if (field && ts > last && !denial(auth, needFor(field, 'latest'), name)) last = ts;
  };
  for (const [name, [ts]] of signals) consider(name, ts);
  for (const [name, [ts]] of locationSignals) consider(name, ts);
  // A fix counts for whoever may see it, exactly or approximately.
  if (point) {
    consider('currentLocationCoordinates', point[0]);
    consider(APPROXIMATE_FIELD, point[0]);
  }
  return last === -Infinity ? null : last;
}

function readable(auth: TelemetryAuth, field: SignalField): boolean {
  return !denial(auth, needFor(field, 'history'), field.name) || !denial(auth, needFor(field, 'latest'), field.name);
}

export async function resolveAvailableSignals(ctx: TelemetryContext, tokenId: unknown, filter: { source?: string | null } | null | undefined): Promise<string[]> {
  const auth = requireAuth(ctx);
  requireVehicle(auth, tokenId);
  rejectSourceFilter(filter);
  const data = await loadLatest(ctx, auth);
  const names: string[] = [];
  for (const field of ctx.telemetry().fields.values()) {
    if (!latestOf(data, field) || !readable(auth, field)) continue;
    names.push(field.name);
    const history = needFor(field, 'history');
    use(auth, denial(auth, history, field.name) ? needFor(field, 'latest') : history);
  }
  return names.sort();
}

interface Summary {
  name: string;
  count: number;
  first: number;
  last: number;
}

function add(map: Map<string, Summary>, name: string, count: number, first: number, last: number): void {
  const s = map.get(name);
  if (!s) map.set(name, { name, count, first, last });
  else {
    s.count += count;
    s.first = Math.min(s.first, first);
    s.last = Math.max(s.last, last);
  }
}

export async function resolveDataSummary(ctx: TelemetryContext, tokenId: unknown, filter: { source?: string | null } | null | undefined) {
  const auth = requireAuth(ctx);
  requireVehicle(auth, tokenId);
  rejectSourceFilter(filter);
  const { view, fields, maxCost } = ctx.telemetry();
  const { vehicleId, version } = auth.vault;
  const refs = await view.segments(vehicleId, version, 0, Number.MAX_SAFE_INTEGER);
  charge(auth, refs.length * 20, maxCost, `${refs.length} hours of data`);
  const signals = new Map<string, Summary>();
  const rollups = await view.rollups(vehicleId, version, refs);
  for (const r of rollups) for (const [name, ro] of Object.entries(r ?? {})) add(signals, name, ro.count, ro.first[0], ro.last[0]);
  if (refs.length > 0) {
    const from = refs[0]!.chunkStart;
    const to = refs.at(-1)!.chunkStart + 3_600_000;
    const points = await view.points(vehicleId, version, from, to);
    if (points.ts.length > 0) add(signals, 'currentLocationCoordinates', points.ts.length, points.ts[0]!, points.ts[points.ts.length - 1]!);
    for (const field of fields.values()) {
      if (field.source !== 'locationSamples' || denial(auth, needFor(field, 'history'), field.name)) continue;
      const col = await view.locationColumn(vehicleId, version, field.name, from, to);
      if (col && col.ts.length > 0) add(signals, field.name, col.ts.length, col.ts[0]!, col.ts[col.ts.length - 1]!);
    }
  }
  const shown = [...signals.values()].filter((s) => {
    const field = fields.get(s.name);
    if (!field || denial(auth, needFor(field, 'history'), field.name)) return false;
    use(auth, needFor(field, 'history'));
    return true;
  }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const events = new Map<string, Summary>();
  if (!denial(auth, { all: [1, 4] }, 'eventDataSummary')) {
    for (const list of await view.events(vehicleId, version, refs)) {
      for (const archived of list) for (const e of eventsOf(archived)) add(events, e.name, 1, e.timestamp, e.timestamp);
    }
    if (events.size > 0) use(auth, { all: [1, 4] });
  }
  const firstSeen = shown.length > 0 ? Math.min(...shown.map((s) => s.first)) : 0;
  const lastSeenAt = shown.length > 0 ? Math.max(...shown.map((s) => s.last)) : 0;
  return {
    numberOfSignals: shown.reduce((n, s) => n + s.count, 0),
    availableSignals: shown.map((s) => s.name),
    firstSeen,
    lastSeen: lastSeenAt,
    signalDataSummary: shown.map((s) => ({ name: s.name, numberOfSignals: s.count, firstSeen: s.first, lastSeen: s.last })),
    eventDataSummary: [...events.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => ({ name: s.name, numberOfEvents: s.count, firstSeen: s.first, lastSeen: s.last })),
  };
}

