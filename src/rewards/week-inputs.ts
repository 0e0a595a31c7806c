// What one week's rewards are computed from, per vehicle. Gathered once from stored data
// (week-gather.ts) and frozen in `rewards_inputs`, so recomputing the week gives the same result even
// after the vehicle changed owner, device, privacy settings or unions.
import { createHash } from 'node:crypto';
import { OdmError } from '../core/errors.ts';
import { CONNECTION_KINDS, type ConnectionKind } from './reward-rules.ts';
import type { StreakState } from './streak.ts';

export interface VehicleWeekInput {
  /** Decimal token id. */
  vehicleId: string;
  /** Lowercase 0x address of the owner when gathered: the beneficiary. */
  owner: string;
  /** 0x bytes32 VIN commitment from the chain, or null when unknown. */
  vinHash: string | null;
  /** Stored data in an hour chunk starting inside the week. */
  connected: boolean;
  /** Connection kinds that delivered the week's data, sorted. */
  kinds: ConnectionKind[];
  locationOptOut: boolean;
  /** Union ids the vehicle belonged to, sorted. */
  unions: string[];
  /** Streak state before the week. */
  prior: StreakState;
}

export interface WeekInputs {
  week: number;
  /** Epoch ms: the week covers hour chunks starting in [weekStart, weekEnd). */
  weekStart: number;
  weekEnd: number;
  vehicles: VehicleWeekInput[];
}

function sortedUnique<T extends string>(list: readonly T[]): T[] {
  return list.length <= 1 ? [...list] : [...new Set(list)].sort();
}

/** Sorts by token id and checks every field, so the hash and the result never depend on input order. */
export function normalizeInputs(inputs: WeekInputs): WeekInputs {
  const seen = new Set<string>();
  for (const v of inputs.vehicles) {
    if (!/^\d{1,78}$/.test(v.vehicleId)) throw new OdmError('ODM_ERR_VALIDATION', `vehicle id ${v.vehicleId} is not a token id`);
    if (seen.has(v.vehicleId)) throw new OdmError('ODM_ERR_VALIDATION', `vehicle ${v.vehicleId} appears twice in the week's inputs`);
    seen.add(v.vehicleId);
    if (!/^0x[0-9a-f]{40}$/.test(v.owner)) throw new OdmError('ODM_ERR_VALIDATION', `vehicle ${v.vehicleId} has no lowercase owner address`);
    if (v.kinds.some((k) => !CONNECTION_KINDS.includes(k))) throw new OdmError('ODM_ERR_VALIDATION', `vehicle ${v.vehicleId} has an unknown connection kind`);
  }
  // Sorting on precomputed keys: a BigInt per comparison costs seconds at 100,000 vehicles.
  const vehicles = inputs.vehicles
    .map((v) => ({ id: BigInt(v.vehicleId), v: { ...v, kinds: sortedUnique(v.kinds), unions: sortedUnique(v.unions), vinHash: v.vinHash?.toLowerCase() ?? null } }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((x) => x.v);
  return { week: inputs.week, weekStart: inputs.weekStart, weekEnd: inputs.weekEnd, vehicles };
}

/** sha256 over the canonical inputs (fields in a fixed order). */
export function inputsHash(inputs: WeekInputs): string {
  const h = createHash('sha256');
  h.update(`week ${inputs.week} ${inputs.weekStart} ${inputs.weekEnd}\n`);
  for (const v of inputs.vehicles) {
    h.update(`${v.vehicleId} ${v.owner} ${v.vinHash ?? '-'} ${v.connected ? 1 : 0} ${v.kinds.join(',')} ${v.locationOptOut ? 1 : 0} ${v.unions.join(',')} ${v.prior.level}/${v.prior.weeks}/${v.prior.missed}\n`);
  }
  return h.digest('hex');
}
