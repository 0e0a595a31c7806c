// Charging sessions per H3 cell and hour of day, per calendar month. A session starts when
// IsCharging turns true (after false or a 30-minute gap); it is placed at the nearest exact location
// within 15 minutes of its start, coarsened to the configured H3 resolution (≤ 6). At most 62 sessions
// of one vehicle count per month (the earliest), which bounds one vehicle's weight for the noise.
import type { LocationPointRecord } from '../../vault/vault-reader.ts';
import type { Series } from '../../vault/rollups.ts';
import type { ContributionPart, Dataset } from './dataset.ts';
import { coarseCell, MINUTE_MS, parseMonth, pointAt, starts } from './periods.ts';

export const CHARGING_SIGNAL = 'powertrainTractionBatteryChargingIsCharging';
export const SESSION_GAP_MS = 30 * MINUTE_MS;
export const LOCATION_WINDOW_MS = 15 * MINUTE_MS;
export const MAX_SESSIONS_PER_VEHICLE = 62;

export interface ChargingParams {
  month: string;
  from: number;
  to: number;
}

export interface ChargingRaw {
  charging: Series;
  points: LocationPointRecord[];
}

export const chargingDataset: Dataset<ChargingParams, ChargingRaw> = {
  id: 'charging-sessions-by-cell-hour',
  unionId: 'charging',
  usesLocation: true,
  measures: [{ name: 'sessions', sensitivity: MAX_SESSIONS_PER_VEHICLE }],
  vehicleSensitivity: MAX_SESSIONS_PER_VEHICLE,
  parse(query, now) {
    return parseMonth(query.month, now);
  },
  publicParams: (p) => ({ month: p.month }),
  async fetch(reader, v, p) {
    const charging = await reader.series(v.vehicleId, v.version, CHARGING_SIGNAL, p.from - SESSION_GAP_MS, p.to - 1);
    if (starts(charging, SESSION_GAP_MS, p.from, p.to).length === 0) return undefined;
    const { points } = await reader.locations(v.vehicleId, v.version, p.from - LOCATION_WINDOW_MS, p.to + LOCATION_WINDOW_MS);
    return { charging, points };
  },
  extract(raw, _v, p, ctx) {
    const out: ContributionPart[] = [];
    for (const ts of starts(raw.charging, SESSION_GAP_MS, p.from, p.to).slice(0, MAX_SESSIONS_PER_VEHICLE)) {
      const at = pointAt(raw.points, ts, LOCATION_WINDOW_MS);
      if (!at) continue;
      const cell = coarseCell(at.lat, at.lng, ctx.h3Resolution);
      out.push({ key: { month: p.month, cell, resolution: ctx.h3Resolution, hour: new Date(ts).getUTCHours() }, measures: { sessions: 1 } });
    }
    return out;
  },
};
