// The telemetry GraphQL schema at /query, shaped like DIMO's telemetry API so existing apps work: signals
// (bucketed aggregations per field and alias), signalsLatest, availableSignals, dataSummary, events and
// segments, with per-signal fields generated from the node's signal catalogue. Live subscriptions extend
// `Subscription` (src/live/live-schema.ts).
import type { SignalField } from './signal-fields.ts';
import { needFor, needText } from './signal-fields.ts';

function doc(f: SignalField, mode: 'history' | 'latest'): string {
  const unit = f.unit ? ` Unit: '${f.unit}'.` : '';
  return JSON.stringify(`${f.vss}.${unit} Required privileges: ${needText(needFor(f, mode))}.`);
}

export function buildTelemetrySchema(fields: Iterable<SignalField>): string {
  const aggregations: string[] = [];
  const latest: string[] = [];
  for (const f of fields) {
    if (f.type === 'location') {
      const filter = f.source === 'approximate' ? '' : ', filter: SignalLocationFilter';
      aggregations.push(`  ${doc(f, 'history')}\n  ${f.name}(agg: LocationAggregation!${filter}): Location`);
      latest.push(`  ${doc(f, 'latest')}\n  ${f.name}: SignalLocation`);
    } else if (f.type === 'string') {
      aggregations.push(`  ${doc(f, 'history')}\n  ${f.name}(agg: StringAggregation!): String`);
      latest.push(`  ${doc(f, 'latest')}\n  ${f.name}: SignalString`);
    } else {
      aggregations.push(`  ${doc(f, 'history')}\n  ${f.name}(agg: FloatAggregation!, filter: SignalFloatFilter): Float`);
      latest.push(`  ${doc(f, 'latest')}\n  ${f.name}: SignalFloat`);
    }
  }
  return /* GraphQL */ `
"A point in time, RFC 3339, UTC."
scalar Time
"A 64-bit unsigned integer."
scalar Uint64

type Query {
  """
  Aggregated signals of a vehicle in [from, to), in buckets of \`interval\` starting at \`from\` (the last
  one ends at \`to\`). Each field takes its own aggregation (and filter); alias a field to ask for several.
  Only buckets with data for at least one asked field are returned.
  """
  signals(
    tokenId: Int!
    "A duration such as 300ms, 15m, 1h or 2h45m (units ms, s, m, h)."
    interval: String!
    from: Time!
    to: Time!
    filter: SignalFilter
  ): [SignalAggregations!]
  "The latest value of each signal."
  signalsLatest(tokenId: Int!, filter: SignalFilter): SignalCollection
  "Older clients' spelling of signalsLatest."
  SignalsLatest(tokenID: Int!, filter: SignalFilter): SignalCollection @deprecated(reason: "use signalsLatest(tokenId:)")
  "Names of the signals with stored data that this token may read ([] when none)."
  availableSignals(tokenId: Int!, filter: SignalFilter): [String!]
  "Counts and first/last times of every signal and event this token may read."
  dataSummary(tokenId: Int!, filter: SignalFilter): DataSummary
  "Vehicle events (e.g. harsh braking) in [from, to). Required privileges: 1 (VEHICLE_NON_LOCATION_DATA) and 4 (VEHICLE_ALL_TIME_LOCATION)."
  events(tokenId: Int!, from: Time!, to: Time!, filter: EventFilter): [Event!]
  """
  Usage segments (trips, idling, refuels, recharges) in [from, to), at most 31 days, detected by
  \`mechanism\`. Pages of \`limit\` (1–200, default 100); pass the last segment's start as \`after\` for the next.
  Required privileges: 1 (VEHICLE_NON_LOCATION_DATA) and 4 (VEHICLE_ALL_TIME_LOCATION).
  """
  segments(
    tokenId: Int!
    from: Time!
    to: Time!
    mechanism: DetectionMechanism!
    config: SegmentConfig
    signalRequests: [SegmentSignalRequest!]
    eventRequests: [SegmentEventRequest!]
    limit: Int = 100
    after: Time
  ): [Segment!]
}

"Live data (graphql-ws over WebSocket at /query). Fields come from src/live/."
type Subscription {
  _empty: Boolean @deprecated(reason: "placeholder; subscribe to the other fields")
}

"SignalFilter holds the filter parameters for signal queries."
input SignalFilter {
  "Filter signals by source. Not supported by this node for signals (events take EventFilter.source)."
  source: String
}

enum FloatAggregation { AVG MED MAX MIN RAND FIRST LAST }
enum StringAggregation {
  "A randomly selected value."
  RAND
  "The most frequent value (ties: the smallest)."
  TOP
  "The distinct values, sorted and comma-joined."
  UNIQUE
  FIRST
  LAST
}
enum LocationAggregation { AVG RAND FIRST LAST }

"""
Filters on float values. Every condition given must hold; \`or\` lists alternatives, so a value passes when
it meets all of this filter's own conditions or any alternative.
"""
input SignalFloatFilter {
  eq: Float
  neq: Float
  gt: Float
  lt: Float
  gte: Float
  lte: Float
  notIn: [Float!]
  in: [Float!]
  or: [SignalFloatFilter!]
}

"Filters that apply to locations."
input SignalLocationFilter {
  "Inside a polygon of at least 3 vertices (points on an edge count as inside)."
  inPolygon: [FilterLocation!]
  "Within \`radius\` kilometres of \`center\` (great-circle distance; exactly \`radius\` counts as inside)."
  inCircle: InCircleFilter
}

input FilterLocation {
  latitude: Float!
  longitude: Float!
}

input InCircleFilter {
  center: FilterLocation!
  "Kilometres."
  radius: Float!
}

type SignalAggregations {
  "Start of the bucket."
  timestamp: Time!
${aggregations.join('\n')}
}

type SignalCollection {
  "The last time any signal this token may read was seen."
  lastSeen: Time
${latest.join('\n')}
}

type SignalFloat {
  timestamp: Time!
  value: Float!
}

type SignalString {
  timestamp: Time!
  value: String!
}

type Location {
  latitude: Float!
  longitude: Float!
  "Horizontal dilution of precision; 0 when the source did not report one."
  hdop: Float!
}

type SignalLocation {
  timestamp: Time!
  value: Location!
}

type DataSummary {
  numberOfSignals: Uint64!
  availableSignals: [String!]!
  firstSeen: Time!
  lastSeen: Time!
  signalDataSummary: [SignalDataSummary!]!
  eventDataSummary: [EventDataSummary!]!
}

type SignalDataSummary {
  name: String!
  numberOfSignals: Uint64!
  firstSeen: Time!
  lastSeen: Time!
}

type EventDataSummary {
  name: String!
  numberOfEvents: Uint64!
  firstSeen: Time!
  lastSeen: Time!
}

type Event {
  timestamp: Time!
  name: String!
  "The event's CloudEvent source (the connection that produced it)."
  source: String!
  "Nanoseconds (a Float: GraphQL Int stops at 2^31)."
  durationNs: Float!
  metadata: String
  tags: [String!]!
}

input EventFilter {
  name: StringValueFilter
  source: StringValueFilter
  tags: StringArrayFilter
}

"Every condition given must hold; \`or\` lists alternatives."
input StringValueFilter {
  eq: String
  neq: String
  notIn: [String!]
  in: [String!]
  startsWith: String
  or: [StringValueFilter!]
}

"Conditions on a list of strings; every condition given must hold; \`or\` lists alternatives."
input StringArrayFilter {
  containsAny: [String!]
  containsAll: [String!]
  notContainsAny: [String!]
  notContainsAll: [String!]
  or: [StringArrayFilter!]
}

enum DetectionMechanism {
  "Segments are periods with the ignition on (isIgnitionOn), off periods shorter than maxGapSeconds bridged."
  ignitionDetection
  "Segments are runs of one-minute windows with at least signalCountThreshold samples, gaps up to maxGapSeconds bridged."
  frequencyAnalysis
  "Segments are regimes where the per-minute sample count rises above the range's baseline (CUSUM)."
  changePointDetection
  "Idling: the engine runs (rpm > 0) at or below maxIdleRpm while the vehicle does not move."
  idling
  "Refuel: the fuel level rises by at least minIncreasePercent points."
  refuel
  "Recharge: charging is reported, or the state of charge rises by at least minIncreasePercent points."
  recharge
}

input SegmentConfig {
  "Longest gap (seconds) bridged inside one segment. Default 300, 60–3600."
  maxGapSeconds: Int
  "Older name of maxGapSeconds."
  minIdleSeconds: Int @deprecated(reason: "use maxGapSeconds")
  "Shortest segment (seconds) returned. Default 240, 60–3600 (refuel and recharge: only when given)."
  minSegmentDurationSeconds: Int
  "[frequencyAnalysis, idling] Samples per one-minute window for it to count. Default 10, 1–3600."
  signalCountThreshold: Int
  "[idling] Highest idle engine speed (rpm). Default 1000, 300–3000."
  maxIdleRpm: Int
  "[refuel, recharge] Smallest rise of the level, in percentage points. Default 15, 1–100."
  minIncreasePercent: Int
}

input SegmentSignalRequest {
  name: String!
  agg: FloatAggregation!
}

input SegmentEventRequest {
  name: String!
}

type SignalAggregationValue {
  name: String!
  agg: String!
  value: Float!
}

type EventCount {
  name: String!
  count: Int!
}

type Segment {
  "Start (time and location)."
  start: SignalLocation!
  "End (time and location); null while the segment is ongoing."
  end: SignalLocation
  "Seconds, to the end or (ongoing) to the query's \`to\`."
  duration: Int!
  isOngoing: Boolean!
  startedBeforeRange: Boolean!
  signals: [SignalAggregationValue!]
  eventCounts: [EventCount!]
}
`;
}
