// Live telemetry as a GraphQL subscription, merged into the telemetry schema at /query and served over
// WebSocket (graphql-ws). Each update is one stored event of the vehicle, shaped like the latest-values
// collection (one field per catalogue signal: `speed { timestamp value }`) plus the list of every sample
// in the event. The vehicle JWT goes in the connection_init payload as `Authorization: Bearer …`
// (`{"Authorization": "Bearer …"}` or `{"headers": {"Authorization": …}}`); privilege 6 opens a stream.
// Timestamps are epoch ms inside and RFC 3339 on the wire (the telemetry schema's Time scalar).
import { GraphQLError } from 'graphql';
import { OdmError, toOdmError } from '../core/errors.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import { bearerToken, type VehicleTokenClaims } from './app-auth.ts';
import type { LiveHub } from './live-hub.ts';
import { toGraphQLError } from './live-stream.ts';
import type { LiveUpdate } from './live-update.ts';

/** The fastify decorator the live capability adds: the running node's hub (throws 503 while starting). */
export const LIVE_HUB_DECORATOR = 'opendimoLiveHub';

const FIXED_FIELDS = new Set(['tokenId', 'cloudEventId', 'source', 'producer', 'type', 'lastSeen', 'signals', 'approximateLocation', 'currentLocationApproximateCoordinates']);

function signalFields(): string {
  const lines: string[] = [];
  for (const s of loadDefaultCatalog().signals) {
    if (FIXED_FIELDS.has(s.name)) continue;
    const type = s.type === 'location' ? 'SignalLocation' : s.type === 'string' ? 'SignalString' : 'SignalFloat';
    lines.push(`    ${JSON.stringify(`${s.vss}.${s.unit ? ` Unit: '${s.unit}'.` : ''}`)}\n    ${s.name}: ${type}`);
  }
  return lines.join('\n');
}

/**
 * Extends the telemetry schema (src/api/telemetry/telemetry-schema.ts), whose `Time`, `SignalFloat`,
 * `SignalString`, `SignalLocation` and `Location` it reuses, so a live update's per-signal fields read
 * exactly like `signalsLatest`.
 */
export const liveTypeDefs = /* GraphQL */ `
  extend type Subscription {
    """
    A vehicle's new signals as they are stored, one update per event. Needs a vehicle token with privilege 6
    (live data). Non-location signals need privilege 1; location signals need 3 or 4, and with only 8 the
    coordinates are approximate. The stream ends with an error (extensions.code) when the grant is revoked
    or expires, the vehicle changes hands, the license stops qualifying, the token expires, or the
    subscriber falls too far behind (ODM_ERR_LIVE_SLOW_CONSUMER).
    """
    signals(tokenId: Int!, filter: LiveSignalFilter): LiveSignalUpdate!
  }

  input LiveSignalFilter {
    "Only these catalogue signal names (e.g. speed). Empty or absent: every signal the token may read."
    names: [String!]
    "Only events from this source (the connection or device source of the CloudEvent)."
    source: String
  }

  type LiveSignal {
    name: String!
    timestamp: Time!
    valueNumber: Float
    valueString: String
    valueLocation: Location
  }

  type LiveSignalUpdate {
    tokenId: Int!
    "The CloudEvent the signals came in."
    cloudEventId: String!
    source: String!
    producer: String!
    type: String!
    "The event's time."
    lastSeen: Time!
    "Every readable sample in the event, in order."
    signals: [LiveSignal!]!
    "True when the exact coordinates were moved by one of the owner's privacy zones."
    approximateLocation: Boolean!
${signalFields()}
    "Vehicle.CurrentLocation (approximate): the centre of the H3 resolution-6 cell. Privilege 3, 4 or 8."
    currentLocationApproximateCoordinates: SignalLocation
  }
`;

interface SubscriptionContext {
  app?: Record<string, unknown>;
  /** Claims the telemetry server's connection_init handler already verified, when it did. */
  vehicleToken?: VehicleTokenClaims;
  _connectionInit?: unknown;
  request?: { headers?: Record<string, unknown> };
}

function tokenFrom(ctx: SubscriptionContext): string | undefined {
  const init = ctx._connectionInit as Record<string, unknown> | undefined;
  if (init && typeof init === 'object') {
    const headers = (init.headers && typeof init.headers === 'object' ? init.headers : init) as Record<string, unknown>;
    const found = bearerToken(headers.Authorization ?? headers.authorization);
    if (found) return found;
  }
  return bearerToken(ctx.request?.headers?.authorization);
}

function hubOf(ctx: SubscriptionContext): LiveHub {
  const get = ctx.app?.[LIVE_HUB_DECORATOR];
  if (typeof get !== 'function') throw new OdmError('ODM_ERR_UNAVAILABLE', 'live streams are not enabled on this node');
  return (get as () => LiveHub)();
}

export const liveResolvers = {
  Subscription: {
    signals: {
      async subscribe(_root: unknown, args: { tokenId: number; filter?: { names?: string[] | null; source?: string | null } | null }, ctx: SubscriptionContext): Promise<AsyncIterableIterator<LiveUpdate>> {
        try {
          return await hubOf(ctx).open({ token: tokenFrom(ctx), ...(ctx.vehicleToken ? { claims: ctx.vehicleToken } : {}), tokenId: args.tokenId, filter: args.filter ?? null });
        } catch (err) {
          if (err instanceof GraphQLError) throw err;
          throw toGraphQLError(toOdmError(err));
        }
      },
      resolve: (update: LiveUpdate) => update,
    },
  },
};
