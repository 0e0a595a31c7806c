// Query.signals: every field asked of SignalAggregations (each alias with its own aggregation and
// filter) is computed in one pass over the vault, then served per bucket. Whole chunks answer AVG, MIN,
// MAX, FIRST and LAST from their rollups (also under a range filter every value of the chunk passes);
// MED, RAND, other filters and chunks cut by a bucket edge read that one signal's samples.
import type { GraphQLResolveInfo } from 'graphql';
import { OdmError } from '../../core/errors.ts';
import type { RollupsRecord } from '../../vault/records.ts';
import { approximate } from './approximate-location.ts';
import {
  FloatAccumulator, LocationAccumulator, StringAccumulator, bucketStart, feedFloat, feedString, makeBuckets, rollupAnswers, rollupBucket,
  type Buckets, type FloatAgg, type LocationAgg, type StringAgg,
} from './aggregation.ts';
import type { Column, PointColumns } from './columns.ts';
import { lowerBound } from './columns.ts';
import { parseInterval } from './interval.ts';
import { compileLocationFilter, type LocationFilter } from './location-filter.ts';
import { askedFields } from './selection.ts';
import { needFor, type SignalField } from './signal-fields.ts';
import { charge, denial, requireAuth, requireVehicle, use, type TelemetryAuth, type TelemetryContext } from './telemetry-context.ts';
import type { SegmentRef, TelemetryView } from './telemetry-view.ts';
import { compileFloatFilter, rangeVerdict, type FloatFilter } from './value-filters.ts';

export interface BucketRow {
  timestamp: number;
  values: Record<string, unknown>;
  /** Refusals of fields the caller may not read, by response key (on the first row only). */
  denied?: Record<string, Error>;
}

export interface SignalsArgs {
  tokenId: number;
  interval: string;
  from: number;
  to: number;
  filter?: { source?: string | null } | null;
}

/** Validates from/to (epoch ms) as a range. */
export function checkRange(from: number, to: number): void {
  if (!(to > from)) throw new OdmError('ODM_ERR_VALIDATION', '`to` must be after `from`', { details: { argument: 'to' } });
}

export function rejectSourceFilter(filter: { source?: string | null } | null | undefined): void {
  if (filter?.source != null) {
    throw new OdmError('ODM_ERR_VALIDATION', 'this node does not filter signals by source (samples of all sources are merged in its vault)', { details: { argument: 'filter.source' } });
  }
}

/** Shared, lazily loaded data of one query. */
class QueryData {
  readonly #view: TelemetryView;
  readonly #v: { vehicleId: string; version: number };
  readonly #b: Buckets;
  #refs?: Promise<SegmentRef[]>;
  #rollups?: Promise<Array<RollupsRecord | undefined>>;
  #points?: Promise<PointColumns>;

  constructor(view: TelemetryView, v: { vehicleId: string; version: number }, b: Buckets) {
    this.#view = view;
    this.#v = v;
    this.#b = b;
  }

  refs(): Promise<SegmentRef[]> {
    return (this.#refs ??= this.#view.segments(this.#v.vehicleId, this.#v.version, this.#b.from, this.#b.to));
  }

  async rollups(): Promise<Array<RollupsRecord | undefined>> {
    return (this.#rollups ??= this.refs().then((refs) => this.#view.rollups(this.#v.vehicleId, this.#v.version, refs)));
  }

  points(): Promise<PointColumns> {
    return (this.#points ??= this.#view.points(this.#v.vehicleId, this.#v.version, this.#b.from, this.#b.to));
  }

  columns(refs: SegmentRef[], signal: string): Promise<Array<Column | undefined>> {
    return this.#view.columns(this.#v.vehicleId, this.#v.version, refs, signal);
  }

  locationColumn(signal: string): Promise<Column | undefined> {
    return this.#view.locationColumn(this.#v.vehicleId, this.#v.version, signal, this.#b.from, this.#b.to);
  }
}

type Result = Array<unknown>;

async function floatFromVault(data: QueryData, b: Buckets, signal: string, agg: FloatAgg, filter: FloatFilter | null | undefined): Promise<Result> {
  const acc = new FloatAccumulator(b.count, agg);
  const test = compileFloatFilter(filter);
  const [refs, rollups] = await Promise.all([data.refs(), data.rollups()]);
  const sampled: SegmentRef[] = [];
  for (let i = 0; i < refs.length; i++) {
    const r = rollups[i]?.[signal];
    if (!r || r.sum === undefined) continue; // no numeric samples of it in this segment
    if (rollupAnswers(agg)) {
      const at = rollupBucket(b, r);
      if (at >= 0) {
        const verdict = rangeVerdict(filter, r.min!, r.max!);
        if (verdict === 'none') continue;
        if (verdict === 'all') {
          acc.addRollup(at, r);
          continue;
        }
      }
    }
    sampled.push(refs[i]!);
  }
  if (sampled.length > 0) for (const col of await data.columns(sampled, signal)) if (col) feedFloat(acc, b, col, test);
  return Array.from({ length: b.count }, (_, i) => acc.result(i));
}

async function stringFromVault(data: QueryData, b: Buckets, signal: string, agg: StringAgg): Promise<Result> {
  const acc = new StringAccumulator(b.count, agg);
  const [refs, rollups] = await Promise.all([data.refs(), data.rollups()]);
  const sampled: SegmentRef[] = [];
  for (let i = 0; i < refs.length; i++) {
    const r = rollups[i]?.[signal];
    if (!r || r.sum !== undefined) continue; // no string samples of it here
    const at = rollupAnswers(agg) ? rollupBucket(b, r) : -1;
    if (at >= 0) acc.addRollup(at, r);
    else sampled.push(refs[i]!);
  }
  if (sampled.length > 0) for (const col of await data.columns(sampled, signal)) if (col) feedString(acc, b, col);
  return Array.from({ length: b.count }, (_, i) => acc.result(i));
}

function floatFromColumn(b: Buckets, col: Column | undefined, agg: FloatAgg, filter: FloatFilter | null | undefined): Result {
  const acc = new FloatAccumulator(b.count, agg);
  if (col) feedFloat(acc, b, col, compileFloatFilter(filter));
  return Array.from({ length: b.count }, (_, i) => acc.result(i));
}

function locationResult(b: Buckets, points: PointColumns, agg: LocationAgg, filter: LocationFilter | null | undefined, coarse: boolean): Result {
  const acc = new LocationAccumulator(b.count, agg);
  const test = compileLocationFilter(filter);
  const end = lowerBound(points.ts, b.to);
  for (let k = lowerBound(points.ts, b.from); k < end; k++) {
    const lat = points.lat[k]!, lng = points.lng[k]!;
    if (test && !test(lat, lng)) continue;
    acc.add(Math.floor((points.ts[k]! - b.from) / b.interval), points.ts[k]!, lat, lng);
  }
  return Array.from({ length: b.count }, (_, i) => {
    const r = acc.result(i);
    if (!r) return null;
    const at = coarse ? approximate(r.latitude, r.longitude) : r;
    return { latitude: at.latitude, longitude: at.longitude, hdop: 0 };
  });
}

async function compute(data: QueryData, b: Buckets, field: SignalField, args: Record<string, unknown>): Promise<Result> {
  switch (field.source) {
    case 'samples':
      return field.type === 'string'
        ? stringFromVault(data, b, field.name, args.agg as StringAgg)
        : floatFromVault(data, b, field.name, args.agg as FloatAgg, args.filter as FloatFilter | null);
    case 'locationSamples': {
      const col = await data.locationColumn(field.name);
      if (field.type === 'string') {
        const acc = new StringAccumulator(b.count, args.agg as StringAgg);
        if (col) feedString(acc, b, col);
        return Array.from({ length: b.count }, (_, i) => acc.result(i));
      }
      return floatFromColumn(b, col, args.agg as FloatAgg, args.filter as FloatFilter | null);
    }
    case 'pointLat':
    case 'pointLng': {
      const p = await data.points();
      return floatFromColumn(b, { ts: p.ts, num: field.source === 'pointLat' ? p.lat : p.lng, str: undefined }, args.agg as FloatAgg, args.filter as FloatFilter | null);
    }
    case 'points':
      return locationResult(b, await data.points(), args.agg as LocationAgg, args.filter as LocationFilter | null, false);
    case 'approximate':
      return locationResult(b, await data.points(), args.agg as LocationAgg, null, true);
  }
}

export async function resolveSignals(ctx: TelemetryContext, args: SignalsArgs, info: GraphQLResolveInfo): Promise<BucketRow[]> {
  const deps = ctx.telemetry();
  const auth: TelemetryAuth = requireAuth(ctx);
  requireVehicle(auth, args.tokenId);
  rejectSourceFilter(args.filter);
  const interval = parseInterval(args.interval);
  checkRange(args.from, args.to);
  const b = makeBuckets(args.from, args.to, interval);
  const asked = askedFields(info, 'SignalAggregations').filter((f) => f.name !== 'timestamp');
  charge(auth, b.count * Math.max(1, asked.length), deps.maxCost, `${b.count} buckets × ${asked.length} fields`);

  const data = new QueryData(ctx.telemetry().view, auth.vault, b);
  const denied: Record<string, Error> = {};
  const results = new Map<string, Result>();
  await Promise.all(asked.map(async (a) => {
    const field = deps.fields.get(a.name)!;
    const need = needFor(field, 'history');
    const refusal = denial(auth, need, a.name);
    if (refusal) {
      denied[a.key] = refusal;
      return;
    }
    use(auth, need);
    results.set(a.key, await compute(data, b, field, a.args));
  }));

  const rows: BucketRow[] = [];
  for (let i = 0; i < b.count; i++) {
    let any = false;
    const values: Record<string, unknown> = {};
    for (const [key, r] of results) {
      const v = r[i];
      if (v !== null && v !== undefined) {
        values[key] = v;
        any = true;
      }
    }
    if (any) rows.push({ timestamp: bucketStart(b, i), values });
  }
  if (Object.keys(denied).length > 0 && rows.length > 0) rows[0]!.denied = denied;
  return rows;
}
