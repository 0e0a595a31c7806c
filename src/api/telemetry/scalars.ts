// Scalars of the telemetry schema. Time is RFC 3339 in UTC (millisecond precision when there is any);
// inputs accept any RFC 3339 offset. Uint64 is a non-negative integer, as a JSON number while safe.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function parseTime(value: unknown): number {
  if (typeof value !== 'string' || !RFC3339.test(value)) {
    throw new GraphQLError('Time must be an RFC 3339 string such as "2026-01-01T00:00:00Z"', { extensions: { code: 'ODM_ERR_VALIDATION' } });
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new GraphQLError('Time is not a valid date', { extensions: { code: 'ODM_ERR_VALIDATION' } });
  return ms;
}

export const TimeScalar = new GraphQLScalarType({
  name: 'Time',
  description: 'A point in time, RFC 3339, UTC.',
  serialize: (v) => formatTime(typeof v === 'number' ? v : v instanceof Date ? v.getTime() : Date.parse(String(v))),
  parseValue: parseTime,
  parseLiteral: (ast) => parseTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const Uint64Scalar = new GraphQLScalarType({
  name: 'Uint64',
  description: 'A 64-bit unsigned integer.',
  serialize: (v) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : Number(v)),
  parseValue: (v) => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new GraphQLError('Uint64 must be a non-negative integer');
    return v;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT || Number(ast.value) < 0) throw new GraphQLError('Uint64 must be a non-negative integer');
    return Number(ast.value);
  },
});
