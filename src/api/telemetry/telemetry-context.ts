// Who is asking, per /query request: the vehicle token's claims, the vehicle's owner and epoch, and the
// privileges this read may use now (those the token carries AND the owner still grants: revocation, grant
// expiry and transfer bite on the next request). Field resolvers check their privileges here; a field
// the caller may not read resolves to null with an error naming the missing privilege.
import mercurius from 'mercurius';
import { OdmError, isOdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { VehicleTokenClaims } from '../apps/vehicle-token.ts';
import type { Need } from './signal-fields.ts';
import { needText } from './signal-fields.ts';
import type { TelemetryRuntime } from './telemetry-runtime.ts';

export interface TelemetryAuth {
  claims: VehicleTokenClaims;
  vehicleId: bigint;
  /** Decimal vehicle id and owner epoch, as the vault keys data. */
  vault: { vehicleId: string; version: number };
  /** Lowercase owner address. */
  owner: string;
  /** Privileges in the token. */
  token: ReadonlySet<number>;
  /** Privileges in the token that the owner grants right now. */
  effective: ReadonlySet<number>;
  licenseName: string;
  /** Privileges the answered fields used (for the owner's activity log). */
  used: Set<number>;
  /** Work charged so far (query-cost.ts). */
  cost: number;
}

export interface TelemetryContext {
  services(): NodeServices;
  telemetry(): TelemetryRuntime;
  /** Present on HTTP requests (set before the query runs); subscriptions carry `vehicleToken` instead. */
  auth: TelemetryAuth | undefined;
  /** Set by the WebSocket connection_init for subscriptions (see telemetry-graphql.ts). */
  vehicleToken?: VehicleTokenClaims;
}

/** A GraphQL error carrying the stable code (extensions.code) and details of an OdmError. */
export function graphqlError(err: unknown): Error {
  if (err instanceof mercurius.ErrorWithProps) return err;
  if (isOdmError(err)) return new mercurius.ErrorWithProps(err.message, { code: err.code, ...err.details }, err.status);
  return err instanceof Error ? err : new Error(String(err));
}

/** Runs a resolver body, turning OdmErrors into GraphQL errors with their codes. */
export async function guarded<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw graphqlError(err);
  }
}

export function requireAuth(ctx: TelemetryContext): TelemetryAuth {
  if (!ctx.auth) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'send Authorization: Bearer <vehicle token from POST /v1/tokens/exchange>');
  return ctx.auth;
}

/** The vehicle a root field names must be the token's. */
export function requireVehicle(auth: TelemetryAuth, tokenId: unknown): void {
  if (typeof tokenId !== 'number' || !Number.isSafeInteger(tokenId) || BigInt(tokenId) !== auth.vehicleId) {
    throw new OdmError('ODM_ERR_TOKEN_SCOPE', `this token is for vehicle ${auth.vehicleId}, not ${String(tokenId)}`, { details: { tokenId: String(tokenId), tokenFor: auth.vehicleId.toString() } });
  }
}

/** Why `need` is not met (undefined when it is): not in the token, or no longer granted by the owner. */
export function denial(auth: TelemetryAuth, need: Need, field: string): OdmError | undefined {
  const ok = (set: ReadonlySet<number>) => (need.any ? need.any.some((p) => set.has(p)) : (need.all ?? []).every((p) => set.has(p)));
  if (ok(auth.effective)) return undefined;
  const wanted = need.any ?? need.all ?? [];
  const missing = need.any ? wanted : wanted.filter((p) => !auth.effective.has(p));
  if (!ok(auth.token)) {
    return new OdmError('ODM_ERR_PRIVILEGE_NOT_IN_TOKEN', `${field} needs privilege ${needText(need)}, which this token does not carry`, {
      details: { field, missing: need.any ? wanted : wanted.filter((p) => !auth.token.has(p)) },
    });
  }
  return new OdmError('ODM_ERR_CONSENT_MISSING', `${field} needs privilege ${needText(need)}, which the owner no longer grants`, { details: { field, missing } });
}

/** Throws the denial, or records the privileges as used. */
export function requireNeed(auth: TelemetryAuth, need: Need, field: string): void {
  const refusal = denial(auth, need, field);
  if (refusal) throw refusal;
  use(auth, need);
}

export function use(auth: TelemetryAuth, need: Need): void {
  if (need.all) for (const p of need.all) auth.used.add(p);
  if (need.any) {
    const p = need.any.find((x) => auth.effective.has(x));
    if (p !== undefined) auth.used.add(p);
  }
}

/** Charges `units` of work; ODM_ERR_QUERY_COST once the request's budget is spent. */
export function charge(auth: TelemetryAuth, units: number, max: number, what: string): void {
  auth.cost += units;
  if (auth.cost > max) {
    throw new OdmError('ODM_ERR_QUERY_COST', `this query asks for too much (${what}); narrow the range, widen the interval or ask for fewer fields`, {
      details: { cost: auth.cost, maxCost: max },
    });
  }
}
