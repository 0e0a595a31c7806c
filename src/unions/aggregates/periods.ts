// Release periods and start detection shared by the datasets. Periods are fixed calendar units (a UTC
// month, a UTC day) that are part of every group key, so a group's value never depends on how wide the
// query was — no two overlapping queries can be differenced to isolate a few vehicles.
import { cellToParent, latLngToCell } from 'h3-js';
import { OdmError } from '../../core/errors.ts';
import type { LocationPointRecord } from '../../vault/vault-reader.ts';
import type { Series } from '../../vault/rollups.ts';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export function parseMonth(value: unknown, now: number): { month: string; from: number; to: number } {
  const m = typeof value === 'string' ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value) : null;
  if (!m) throw new OdmError('ODM_ERR_VALIDATION', 'month must be YYYY-MM', { details: { month: value } });
  const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  const to = Date.UTC(Number(m[1]), Number(m[2]), 1);
  if (from > now) throw new OdmError('ODM_ERR_VALIDATION', 'month must not be in the future', { details: { month: value } });
  return { month: value as string, from, to };
}

export function parseDay(value: unknown, what: string): number {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new OdmError('ODM_ERR_VALIDATION', `${what} must be a date YYYY-MM-DD`, { details: { [what]: value } });
  }
  return ms;
}

export const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const monthText = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

const truthy = (v: number | string | undefined) => v === 1 || v === 'true' || (v as unknown) === true;

/**
 * Times a boolean signal turns on: a true sample whose previous sample is false or more than `gapMs`
 * older. Fetch the series from `from − gapMs` so a start's predecessor is always seen.
 */
export function starts(series: Series, gapMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < series.ts.length; i++) {
    if (!truthy(series.v[i])) continue;
    const ts = series.ts[i]!;
    const fresh = i === 0 || !truthy(series.v[i - 1]) || ts - series.ts[i - 1]! > gapMs;
    if (fresh && ts >= from && ts < to) out.push(ts);
  }
  return out;
}

/**
 * The location at `ts`: the nearest exact point within `windowMs` (the earlier one on a tie). Points an
 * owner's privacy zone redacted are never used: a zone is somewhere its owner chose not to be seen.
 */
export function pointAt(points: readonly LocationPointRecord[], ts: number, windowMs: number): LocationPointRecord | undefined {
  let best: LocationPointRecord | undefined;
  for (const p of points) {
    if (p.redacted) continue;
    const d = Math.abs(p.ts - ts);
    if (d > windowMs) continue;
    if (!best || d < Math.abs(best.ts - ts) || (d === Math.abs(best.ts - ts) && p.ts < best.ts)) best = p;
  }
  return best;
}

/** The H3 cell of a point at `resolution` (≤ 6), taken as the parent of its resolution-6 cell so every resolution nests. */
export function coarseCell(lat: number, lng: number, resolution: number): string {
  if (!(resolution >= 0 && resolution <= 6)) throw new RangeError('locations are never released finer than H3 resolution 6');
  const fine = latLngToCell(lat, lng, 6);
  return resolution === 6 ? fine : cellToParent(fine, resolution);
}
