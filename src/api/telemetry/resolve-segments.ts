// Query.segments: trips, idling, refuels and recharges detected from stored signals (see
// segment-detection.ts), with DIMO's arguments, validated configuration ranges, per-segment summaries
// (signals, event counts, start/end location) and cursor paging (`after` = the previous page's last start).
import { OdmError } from '../../core/errors.ts';
import { FloatAccumulator, type FloatAgg } from './aggregation.ts';
import { lowerBound, type Column, type PointColumns } from './columns.ts';
import { loadEvents } from './resolve-events.ts';
import { checkRange } from './resolve-signals.ts';
import {
  changePointWindows, ignitionSegments, levelRiseSegments, union, windowCounts, windowSegments, WINDOW_MS, type RangeOptions, type RawSegment,
} from './segment-detection.ts';
import { charge, requireAuth, requireNeed, requireVehicle, type TelemetryAuth, type TelemetryContext } from './telemetry-context.ts';
import { mergeColumns } from './columns.ts';

export type Mechanism = 'ignitionDetection' | 'frequencyAnalysis' | 'changePointDetection' | 'idling' | 'refuel' | 'recharge';

export interface SegmentConfigInput {
  maxGapSeconds?: number | null;
  minIdleSeconds?: number | null;
  minSegmentDurationSeconds?: number | null;
  signalCountThreshold?: number | null;
  maxIdleRpm?: number | null;
  minIncreasePercent?: number | null;
}

export interface SegmentsArgs {
  tokenId: number;
  from: number;
  to: number;
  mechanism: Mechanism;
  config?: SegmentConfigInput | null;
  signalRequests?: Array<{ name: string; agg: FloatAgg }> | null;
  eventRequests?: Array<{ name: string }> | null;
  limit?: number | null;
  after?: number | null;
}

interface Config {
  maxGapMs: number;
  minDurationMs: number;
  signalCountThreshold: number;
  maxIdleRpm: number;
  minIncrease: number;
}

export const MAX_RANGE_MS = 31 * 86_400_000 + 1000;
const MAX_LIMIT = 200;
const SPEED = 'speed', FUEL = 'powertrainFuelSystemRelativeLevel', SOC = 'powertrainTractionBatteryStateOfChargeCurrent';
const ODOMETER = 'powertrainTransmissionTravelledDistance', RPM = 'powertrainCombustionEngineSpeed', IGNITION = 'isIgnitionOn';
const CHARGING = 'powertrainTractionBatteryChargingIsCharging';

const DEFAULT_SIGNALS: Record<string, Array<[string, FloatAgg]>> = {
  idling: [[SPEED, 'MAX'], [FUEL, 'FIRST'], [FUEL, 'LAST'], [ODOMETER, 'FIRST'], [ODOMETER, 'LAST']],
  refuel: [[SPEED, 'MAX'], [FUEL, 'FIRST'], [FUEL, 'LAST'], [ODOMETER, 'FIRST'], [ODOMETER, 'LAST']],
  recharge: [[SPEED, 'MAX'], [SOC, 'FIRST'], [SOC, 'LAST'], [ODOMETER, 'FIRST'], [ODOMETER, 'LAST']],
  other: [[SPEED, 'MAX'], [FUEL, 'FIRST'], [FUEL, 'LAST'], [SOC, 'FIRST'], [SOC, 'LAST'], [ODOMETER, 'FIRST'], [ODOMETER, 'LAST']],
};

function inRange(name: string, v: number | null | undefined, lo: number, hi: number, dflt: number): number {
  if (v === null || v === undefined) return dflt;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new OdmError('ODM_ERR_VALIDATION', `${name} must be between ${lo} and ${hi}`, { details: { argument: `config.${name}` } });
  return v;
}

/** DIMO's configuration ranges; fields that do not apply to the mechanism are ignored. */
export function segmentConfig(c: SegmentConfigInput | null | undefined, mechanism: Mechanism): Config {
  const level = mechanism === 'refuel' || mechanism === 'recharge';
  const gap = c?.maxGapSeconds ?? c?.minIdleSeconds;
  return {
    maxGapMs: inRange('maxGapSeconds', gap, 60, 3600, 300) * 1000,
    // Refuels and recharges are often short: no minimum unless one is asked for.
    minDurationMs: inRange('minSegmentDurationSeconds', c?.minSegmentDurationSeconds, 60, 3600, level ? 0 : 240) * 1000,
    signalCountThreshold: inRange('signalCountThreshold', c?.signalCountThreshold, 1, 3600, 10),
    maxIdleRpm: mechanism === 'idling' ? inRange('maxIdleRpm', c?.maxIdleRpm, 300, 3000, 1000) : 1000,
    minIncrease: level ? inRange('minIncreasePercent', c?.minIncreasePercent, 1, 100, 15) : 15,
  };
}

class SegmentData {
  readonly #ctx: TelemetryContext;
  readonly #v: { vehicleId: string; version: number };
  readonly #from: number;
  readonly #to: number;
  readonly #columns = new Map<string, Promise<Column | undefined>>();
  #points?: Promise<PointColumns>;

  constructor(ctx: TelemetryContext, v: { vehicleId: string; version: number }, from: number, to: number) {
    this.#ctx = ctx;
    this.#v = v;
    this.#from = from;
    this.#to = to;
  }

  /** One signal over the (lookback-extended) range, merged across segments. */
  column(signal: string): Promise<Column | undefined> {
    let c = this.#columns.get(signal);
    if (!c) {
      c = (async () => {
        const { view } = this.#ctx.telemetry();
        const refs = await view.segments(this.#v.vehicleId, this.#v.version, this.#from, this.#to);
        const parts = (await view.columns(this.#v.vehicleId, this.#v.version, refs, signal)).filter((x): x is Column => x !== undefined);
        return parts.length === 0 ? undefined : mergeColumns(parts, this.#from, this.#to);
      })();
      this.#columns.set(signal, c);
    }
    return c;
  }

  async sampleTimes(from: number, to: number): Promise<Float64Array[]> {
    const { view } = this.#ctx.telemetry();
    const refs = await view.segments(this.#v.vehicleId, this.#v.version, from, to);
    return view.sampleTimes(this.#v.vehicleId, this.#v.version, refs);
  }

  points(): Promise<PointColumns> {
    return (this.#points ??= this.#ctx.telemetry().view.points(this.#v.vehicleId, this.#v.version, this.#from, this.#to));
  }
}

function activeWindows(n: number, o: RangeOptions, col: Column | undefined, isActive: (count: number, max: number, min: number) => boolean): Uint8Array {
  const count = new Uint32Array(n), max = new Float64Array(n).fill(-Infinity), min = new Float64Array(n).fill(Infinity);
  if (col?.num) {
    const end = lowerBound(col.ts, o.to);
    for (let k = lowerBound(col.ts, o.from); k < end; k++) {
      const w = Math.floor((col.ts[k]! - o.from) / WINDOW_MS);
      count[w]!++;
      if (col.num[k]! > max[w]!) max[w] = col.num[k]!;
      if (col.num[k]! < min[w]!) min[w] = col.num[k]!;
    }
  }
  const active = new Uint8Array(n);
  for (let w = 0; w < n; w++) active[w] = count[w]! > 0 && isActive(count[w]!, max[w]!, min[w]!) ? 1 : 0;
  return active;
}

async function detect(data: SegmentData, mechanism: Mechanism, cfg: Config, o: RangeOptions): Promise<RawSegment[]> {
  const windows = Math.ceil((o.to - o.from) / WINDOW_MS);
  switch (mechanism) {
    case 'ignitionDetection': {
      const col = await data.column(IGNITION);
      return col?.num ? ignitionSegments(col.ts, col.num, o) : [];
    }
    case 'frequencyAnalysis':
    case 'changePointDetection': {
      const counts = windowCounts(await data.sampleTimes(o.from, o.to), o);
      const active = mechanism === 'frequencyAnalysis' ? counts.map((c) => (c >= cfg.signalCountThreshold ? 1 : 0)) : changePointWindows(counts);
      return windowSegments(Uint8Array.from(active), o);
    }
    case 'idling': {
      const rpm = await data.column(RPM);
      const idle = activeWindows(windows, o, rpm, (n, max, min) => n >= cfg.signalCountThreshold && max <= cfg.maxIdleRpm && min > 0);
      const speed = await data.column(SPEED);
      // Idling means standing still: drop candidates during which the vehicle moved.
      return windowSegments(idle, o).filter((s) => !(speed?.num && maxIn(speed, s.start, s.end + 1) > 0));
    }
    case 'refuel': {
      const fuel = await data.column(FUEL);
      return fuel?.num ? levelRiseSegments(fuel.ts, fuel.num, cfg.minIncrease, o) : [];
    }
    case 'recharge': {
      const [charging, soc] = await Promise.all([data.column(CHARGING), data.column(SOC)]);
      const reported = activeWindows(windows, o, charging, (_n, max) => max > 0.5);
      const rises = soc?.num ? levelRiseSegments(soc.ts, soc.num, cfg.minIncrease, o) : [];
      return union(windowSegments(reported, o), rises, cfg.maxGapMs);
    }
  }
}

function maxIn(col: Column, from: number, to: number): number {
  let m = -Infinity;
  const end = lowerBound(col.ts, to);
  for (let k = lowerBound(col.ts, from); k < end; k++) if (col.num![k]! > m) m = col.num![k]!;
  return m;
}

function aggregate(col: Column | undefined, agg: FloatAgg, from: number, to: number): number | null {
  if (!col?.num) return null;
  const acc = new FloatAccumulator(1, agg);
  const end = lowerBound(col.ts, to);
  for (let k = lowerBound(col.ts, from); k < end; k++) acc.add(0, col.ts[k]!, col.num[k]!);
  return acc.result(0);
}

/** First fix in the segment (or the last before it), else (0, 0) as DIMO answers. */
function locationAt(points: PointColumns, t: number, from: number, to: number, last: boolean): { latitude: number; longitude: number; hdop: number } {
  const lo = lowerBound(points.ts, from);
  const hi = lowerBound(points.ts, to) - 1;
  const k = lo <= hi ? (last ? hi : lo) : lowerBound(points.ts, t + 1) - 1;
  if (k < 0 || k >= points.ts.length) return { latitude: 0, longitude: 0, hdop: 0 };
  return { latitude: points.lat[k]!, longitude: points.lng[k]!, hdop: 0 };
}

export async function resolveSegments(ctx: TelemetryContext, args: SegmentsArgs) {
  const auth: TelemetryAuth = requireAuth(ctx);
  requireVehicle(auth, args.tokenId);
  requireNeed(auth, { all: [1, 4] }, 'segments');
  const to = Math.min(args.to, ctx.services().clock.now());
  checkRange(args.from, to);
  if (to - args.from > MAX_RANGE_MS) throw new OdmError('ODM_ERR_VALIDATION', 'segments covers at most 31 days', { details: { argument: 'to' } });
  const limit = args.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new OdmError('ODM_ERR_VALIDATION', `limit must be between 1 and ${MAX_LIMIT}`, { details: { argument: 'limit' } });
  const cfg = segmentConfig(args.config, args.mechanism);
  const { fields, maxCost } = ctx.telemetry();
  const requests = args.signalRequests ?? [];
  if (requests.length > 50) throw new OdmError('ODM_ERR_VALIDATION', 'at most 50 signalRequests');
  for (const r of requests) {
    const f = fields.get(r.name);
    if (!f || f.type !== 'float' || f.source !== 'samples') throw new OdmError('ODM_ERR_VALIDATION', `signalRequests: ${r.name} is not a numeric signal`, { details: { argument: 'signalRequests' } });
  }
  const eventNames = [...new Set((args.eventRequests ?? []).map((e) => e.name))].slice(0, 50);
  charge(auth, Math.ceil((to - args.from) / 3_600_000) * 50, maxCost, 'hours of segment detection');

  const o: RangeOptions = { from: args.from, to, maxGapMs: cfg.maxGapMs };
  // Look back one gap: tells whether activity at `from` began earlier.
  const data = new SegmentData(ctx, auth.vault, args.from - cfg.maxGapMs, to);
  let found = (await detect(data, args.mechanism, cfg, o)).filter((s) => s.end - s.start >= cfg.minDurationMs);
  if (args.after != null) found = found.filter((s) => s.start > args.after!);
  found = found.sort((a, b) => a.start - b.start).slice(0, limit);

  const wanted = new Map<string, [string, FloatAgg]>();
  for (const [name, agg] of [...(DEFAULT_SIGNALS[args.mechanism] ?? DEFAULT_SIGNALS.other!), ...requests.map((r) => [r.name, r.agg] as [string, FloatAgg])]) wanted.set(`${name}:${agg}`, [name, agg]);
  const points = await data.points();
  const events = eventNames.length > 0 ? await loadEvents(ctx, auth.vault, args.from, to, { name: { in: eventNames } }) : [];
  const out = [];
  for (const s of found) {
    const end = s.ongoing ? to : s.end;
    const signals = [];
    for (const [name, agg] of wanted.values()) {
      const value = aggregate(await data.column(name), agg, s.start, end + 1);
      if (value !== null) signals.push({ name, agg, value });
    }
    signals.sort((a, b) => (a.name === b.name ? (a.agg < b.agg ? -1 : 1) : a.name < b.name ? -1 : 1));
    out.push({
      start: { timestamp: s.start, value: locationAt(points, s.start, s.start, end + 1, false) },
      end: s.ongoing ? null : { timestamp: s.end, value: locationAt(points, s.end, s.start, s.end + 1, true) },
      duration: Math.round((end - s.start) / 1000),
      isOngoing: s.ongoing,
      startedBeforeRange: s.startedBefore,
      signals,
      eventCounts: eventNames.map((name) => ({ name, count: events.filter((e) => e.name === name && e.timestamp >= s.start && e.timestamp <= end).length })),
    });
  }
  return out;
}
