// Query.events: vehicle events (harsh braking, …) from the vault's event archive: the `events` list of
// dimo.status data and the data of dimo.events CloudEvents ({events: [...]} or one event object), each
// {name, timestamp?, durationNs?, metadata?, tags?}. Needs privileges 1 and 4, as DIMO's.
import { parseTimestamp } from '../../ingest/envelope/time.ts';
import type { ArchivedEvent } from '../../vault/records.ts';
import { checkRange } from './resolve-signals.ts';
import { charge, requireAuth, requireNeed, requireVehicle, type TelemetryContext } from './telemetry-context.ts';
import { matchString, matchStringArray, type StringArrayFilter, type StringFilter } from './value-filters.ts';

export interface VehicleEvent {
  timestamp: number;
  name: string;
  source: string;
  durationNs: number;
  metadata: string | null;
  tags: string[];
}

export const EVENT_PRIVILEGES = { all: [1, 4] };
const MAX_EVENTS = 10_000;

/** The vehicle events an archived CloudEvent carries (none for most). */
export function eventsOf(a: ArchivedEvent): VehicleEvent[] {
  const extra = a.extra as { events?: unknown; name?: unknown } | null | undefined;
  if (!extra || typeof extra !== 'object') return [];
  const list = Array.isArray(extra.events) ? extra.events : a.type === 'dimo.events' && typeof extra.name === 'string' ? [extra] : [];
  const out: VehicleEvent[] = [];
  for (const raw of list as unknown[]) {
    const e = raw as { name?: unknown; timestamp?: unknown; durationNs?: unknown; metadata?: unknown; tags?: unknown } | null;
    if (!e || typeof e.name !== 'string' || e.name.length === 0 || e.name.length > 256) continue;
    const ts = e.timestamp === undefined ? a.time : parseTimestamp(e.timestamp);
    if (!Number.isFinite(ts)) continue;
    const duration = typeof e.durationNs === 'number' && Number.isFinite(e.durationNs) && e.durationNs >= 0 ? Math.round(e.durationNs) : 0;
    const metadata = e.metadata === undefined || e.metadata === null ? null : typeof e.metadata === 'string' ? e.metadata : JSON.stringify(e.metadata);
    const tags = Array.isArray(e.tags) ? e.tags.filter((t): t is string => typeof t === 'string').slice(0, 64) : [];
    out.push({ timestamp: ts, name: e.name, source: a.source, durationNs: duration, metadata, tags });
  }
  return out;
}

export interface EventFilter {
  name?: StringFilter | null;
  source?: StringFilter | null;
  tags?: StringArrayFilter | null;
}

/** Events in [from, to), by time. */
export async function loadEvents(ctx: TelemetryContext, vault: { vehicleId: string; version: number }, from: number, to: number, filter?: EventFilter | null): Promise<VehicleEvent[]> {
  const { view } = ctx.telemetry();
  // An event's own timestamp may sit a little off its CloudEvent's hour: look one hour either side.
  const refs = await view.segments(vault.vehicleId, vault.version, from - 3_600_000, to + 3_600_000);
  const out: VehicleEvent[] = [];
  for (const list of await view.events(vault.vehicleId, vault.version, refs)) {
    for (const archived of list) {
      for (const e of eventsOf(archived)) {
        if (e.timestamp < from || e.timestamp >= to) continue;
        if (filter && (!matchString(filter.name, e.name) || !matchString(filter.source, e.source) || !matchStringArray(filter.tags, e.tags))) continue;
        out.push(e);
      }
    }
  }
  return out.sort((a, b) => a.timestamp - b.timestamp || (a.name < b.name ? -1 : 1));
}

export async function resolveEvents(ctx: TelemetryContext, args: { tokenId: number; from: number; to: number; filter?: EventFilter | null }): Promise<VehicleEvent[]> {
  const auth = requireAuth(ctx);
  requireVehicle(auth, args.tokenId);
  checkRange(args.from, args.to);
  charge(auth, Math.ceil((args.to - args.from) / 3_600_000) * 20, ctx.telemetry().maxCost, 'hours of events');
  requireNeed(auth, EVENT_PRIVILEGES, 'events');
  const events = await loadEvents(ctx, auth.vault, args.from, args.to, args.filter);
  return events.slice(0, MAX_EVENTS);
}
