// State-of-health distribution by make, model and year: per calendar month, each member vehicle counts
// once, in the 5-point band of its last state-of-health reading of the month.
import type { Dataset } from './dataset.ts';
import { parseMonth } from './periods.ts';

export const SOH_SIGNAL = 'powertrainTractionBatteryStateOfHealth';
export const SOH_BAND = 5;

export interface SohParams {
  month: string;
  from: number;
  to: number;
}

export function sohBand(value: number): string {
  const v = Math.min(100, Math.max(0, value));
  const low = Math.min(100 - SOH_BAND, Math.floor(v / SOH_BAND) * SOH_BAND);
  return `${low}-${low + SOH_BAND}`;
}

export const sohDataset: Dataset<SohParams, number> = {
  id: 'soh-by-model-year',
  unionId: 'battery-health',
  usesLocation: false,
  measures: [],
  vehicleSensitivity: 1,
  parse(query, now) {
    return parseMonth(query.month, now);
  },
  publicParams: (p) => ({ month: p.month }),
  async fetch(reader, v, p) {
    // The latest record answers without decrypting the month's chunks when its reading falls in the month.
    const latest = (await reader.latest(v.vehicleId, v.version))?.signals[SOH_SIGNAL];
    if (!latest || latest[0] < p.from) return undefined;
    if (latest[0] < p.to) return typeof latest[1] === 'number' ? latest[1] : undefined;
    const s = await reader.series(v.vehicleId, v.version, SOH_SIGNAL, p.from, p.to - 1);
    const last = s.v.at(-1);
    return typeof last === 'number' ? last : undefined;
  },
  extract(soh, v, p) {
    if (!Number.isFinite(soh)) return [];
    return [{ key: { month: p.month, make: v.make, model: v.model, year: v.year, soh: sohBand(soh) }, measures: {} }];
  },
};
