// What an aggregate dataset is: which union feeds it, how its query is validated, what it reads of one
// member vehicle from the vault, and how that becomes contributions to groups. Fetching and extracting
// are separate so tests can feed synthetic vehicles straight into `extract`.
import type { LocationPointRecord } from '../../vault/vault-reader.ts';
import type { LatestRecord } from '../../vault/records.ts';
import type { Series } from '../../vault/rollups.ts';
import type { GroupKey, MeasureSpec } from './anonymize.ts';

export interface MemberVehicle {
  vehicleId: string;
  version: number;
  owner: string;
  vinHash: string | null;
  make: string;
  model: string;
  year: number;
}

/** The part of the vault reader datasets use. */
export interface VehicleReader {
  latest(vehicleId: string, version: number): Promise<LatestRecord | undefined>;
  series(vehicleId: string, version: number, signal: string, from?: number, to?: number): Promise<Series>;
  locations(vehicleId: string, version: number, from?: number, to?: number): Promise<{ points: LocationPointRecord[] }>;
}

export interface DatasetContext {
  /** H3 resolution locations are coarsened to (≤ 6). */
  h3Resolution: number;
}

export interface ContributionPart {
  key: GroupKey;
  measures: Record<string, number>;
}

export interface Dataset<P = unknown, R = unknown> {
  id: string;
  unionId: string;
  usesLocation: boolean;
  measures: readonly MeasureSpec[];
  vehicleSensitivity: number;
  /** Validates the query (throws ODM_ERR_VALIDATION); `now` bounds periods to the past and present. */
  parse(query: Record<string, unknown>, now: number): P;
  /** The parameters as the release record and the app see them. */
  publicParams(params: P): Record<string, unknown>;
  /** What one member vehicle contributes raw data from; undefined when it has nothing for the period. */
  fetch(reader: VehicleReader, vehicle: MemberVehicle, params: P): Promise<R | undefined>;
  extract(raw: R, vehicle: MemberVehicle, params: P, ctx: DatasetContext): ContributionPart[];
}

/** Canonical text of a group key (fields in the dataset's order; values JSON-quoted so none can forge a separator). */
export function groupText(key: GroupKey): string {
  return Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('|');
}
