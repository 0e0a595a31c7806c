// Trips per region (H3 cell) and UTC day. A trip starts when the ignition turns on (after off or a
// 10-minute gap) and is placed where it started (nearest exact point within 15 minutes). A release
// covers 1–31 whole days; each day is its own group, computed the same whatever the range, so two
// ranges cannot be differenced. At most 10 trips of one vehicle count per day (the earliest).
import { OdmError } from '../../core/errors.ts';
import type { LocationPointRecord } from '../../vault/vault-reader.ts';
import type { Series } from '../../vault/rollups.ts';
import type { ContributionPart, Dataset } from './dataset.ts';
import { coarseCell, DAY_MS, dayText, MINUTE_MS, parseDay, pointAt, starts } from './periods.ts';

export const IGNITION_SIGNAL = 'isIgnitionOn';
export const TRIP_GAP_MS = 10 * MINUTE_MS;
export const LOCATION_WINDOW_MS = 15 * MINUTE_MS;
export const MAX_TRIPS_PER_VEHICLE_DAY = 10;
export const MAX_DAYS = 31;

export interface TripsParams {
  /** First day, inclusive (YYYY-MM-DD). */
  from: string;
  /** Last day, inclusive. */
  to: string;
  fromMs: number;
  /** Exclusive end (the day after `to`). */
  toMs: number;
}

export interface TripsRaw {
  ignition: Series;
  points: LocationPointRecord[];
}

export const tripsDataset: Dataset<TripsParams, TripsRaw> = {
  id: 'trips-by-region-day',
  unionId: 'driving-patterns',
  usesLocation: true,
  // Noise is calibrated per day: a release of D days spends D × epsilon.
  measures: [{ name: 'trips', sensitivity: MAX_TRIPS_PER_VEHICLE_DAY }],
  vehicleSensitivity: MAX_TRIPS_PER_VEHICLE_DAY,
  parse(query, now) {
    const fromMs = parseDay(query.from, 'from');
    const lastMs = parseDay(query.to ?? query.from, 'to');
    if (lastMs < fromMs) throw new OdmError('ODM_ERR_VALIDATION', 'to must not be before from');
    const days = (lastMs - fromMs) / DAY_MS + 1;
    if (days > MAX_DAYS) throw new OdmError('ODM_ERR_VALIDATION', `a release covers at most ${MAX_DAYS} days`, { details: { days } });
    if (fromMs > now) throw new OdmError('ODM_ERR_VALIDATION', 'from must not be in the future');
    return { from: dayText(fromMs), to: dayText(lastMs), fromMs, toMs: lastMs + DAY_MS };
  },
  publicParams: (p) => ({ from: p.from, to: p.to }),
  async fetch(reader, v, p) {
    const ignition = await reader.series(v.vehicleId, v.version, IGNITION_SIGNAL, p.fromMs - TRIP_GAP_MS, p.toMs - 1);
    if (starts(ignition, TRIP_GAP_MS, p.fromMs, p.toMs).length === 0) return undefined;
    const { points } = await reader.locations(v.vehicleId, v.version, p.fromMs - LOCATION_WINDOW_MS, p.toMs + LOCATION_WINDOW_MS);
    return { ignition, points };
  },
  extract(raw, _v, p, ctx) {
    const out: ContributionPart[] = [];
    const perDay = new Map<string, number>();
    for (const ts of starts(raw.ignition, TRIP_GAP_MS, p.fromMs, p.toMs)) {
      const day = dayText(ts);
      const n = perDay.get(day) ?? 0;
      if (n >= MAX_TRIPS_PER_VEHICLE_DAY) continue;
      perDay.set(day, n + 1);
      const at = pointAt(raw.points, ts, LOCATION_WINDOW_MS);
      if (!at) continue;
      out.push({ key: { day, cell: coarseCell(at.lat, at.lng, ctx.h3Resolution), resolution: ctx.h3Resolution }, measures: { trips: 1 } });
    }
    return out;
  },
};
