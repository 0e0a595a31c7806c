// Resolvers of the telemetry schema. Root fields run under guarded() so OdmErrors become GraphQL errors
// with extensions.code; per-signal fields read what the root field computed (signals) or check their own
// privileges (signalsLatest).
import type { GraphQLResolveInfo } from 'graphql';
import { graphqlError, guarded, type TelemetryContext } from './telemetry-context.ts';
import { resolveEvents } from './resolve-events.ts';
import { lastSeen, latestField, resolveAvailableSignals, resolveDataSummary, resolveSignalsLatest, type CollectionParent } from './resolve-latest.ts';
import { resolveSegments } from './resolve-segments.ts';
import { resolveSignals, type BucketRow } from './resolve-signals.ts';
import { TimeScalar, Uint64Scalar } from './scalars.ts';
import type { SignalField } from './signal-fields.ts';

type Args = Record<string, any>;

function sync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw graphqlError(err);
  }
}

/** A SignalAggregations field: the value its response key got in this bucket. */
function bucketValue(parent: BucketRow, _args: Args, _ctx: TelemetryContext, info: GraphQLResolveInfo): unknown {
  const key = info.path.key as string;
  const refusal = parent.denied?.[key];
  if (refusal) throw graphqlError(refusal);
  return parent.values[key] ?? null;
}

export function telemetryResolvers(fields: ReadonlyMap<string, SignalField>): Record<string, any> {
  const aggregations: Record<string, unknown> = { timestamp: (p: BucketRow) => p.timestamp };
  const latest: Record<string, unknown> = { lastSeen: (p: CollectionParent, _a: Args, ctx: TelemetryContext) => sync(() => lastSeen(ctx, p)) };
  for (const f of fields.values()) {
    aggregations[f.name] = bucketValue;
    latest[f.name] = (p: CollectionParent, _a: Args, ctx: TelemetryContext) => sync(() => latestField(ctx, p, f));
  }
  return {
    Time: TimeScalar,
    Uint64: Uint64Scalar,
    Query: {
      signals: (_r: unknown, a: Args, ctx: TelemetryContext, info: GraphQLResolveInfo) => guarded(() => resolveSignals(ctx, a as never, info)),
      signalsLatest: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveSignalsLatest(ctx, a.tokenId, a.filter)),
      SignalsLatest: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveSignalsLatest(ctx, a.tokenID, a.filter)),
      availableSignals: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveAvailableSignals(ctx, a.tokenId, a.filter)),
      dataSummary: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveDataSummary(ctx, a.tokenId, a.filter)),
      events: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveEvents(ctx, a as never)),
      segments: (_r: unknown, a: Args, ctx: TelemetryContext) => guarded(() => resolveSegments(ctx, a as never)),
    },
    SignalAggregations: aggregations,
    SignalCollection: latest,
  };
}
