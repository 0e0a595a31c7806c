// Table types: data unions, aggregate releases, rewards, licensing metrics (src/unions, src/rewards,
// src/licensing/metrics)
import type { Generated } from 'kysely';

export interface UnionMembershipsTable {
  vehicle_id: string;
  owner_version: number;
  union_id: string;
  /** Lowercase 0x address of the owner who joined. */
  owner: string;
  joined_at: number;
}

export interface AggregateReleasesTable {
  release_id: Generated<number>;
  at: number;
  dataset: string;
  /** JSON of the validated query parameters. */
  params: string;
  app_license_id: string;
  app_address: string;
  k: number;
  /** Decimal epsilon of the Laplace noise, or null without noise. */
  epsilon: string | null;
  /** JSON {groups, totals}: exactly what the app received. */
  released: string;
  released_count: number;
  suppressed_count: number;
  /** Sealed JSON of the suppressed groups (keys and distinct counts), under a KEK-derived key. */
  suppressed_ct: Buffer;
  /** Distinct vehicles in released groups. */
  contributors: number;
}

export interface RewardsWeeksTable {
  week: number;
  /** Epoch ms; the week covers hour chunks starting in [week_start, week_end). */
  week_start: number;
  week_end: number;
  rules_version: string;
  /** sha256 of the frozen inputs. */
  inputs_hash: string;
  /** Decimal wei. */
  budget: string;
  total: string;
  total_points: string;
  vehicles: number;
  paid_vehicles: number;
  /** 0x Merkle root; null when nobody earned. */
  root: string | null;
  computed_at: number;
  posted_tx: string | null;
  posted_at: number | null;
}

export interface RewardsInputsTable {
  week: number;
  vehicle_id: string;
  /** JSON of the vehicle's frozen inputs (see src/rewards/week-inputs.ts). */
  doc: string;
}

export interface RewardsEntriesTable {
  week: number;
  vehicle_id: string;
  beneficiary: string;
  points: number;
  /** Decimal wei. */
  amount: string;
  streak_level: number;
  streak_weeks: number;
  streak_missed: number;
  /** JSON array of the reasons behind the points. */
  reasons: string;
}

export interface LicensingDecisionsTable {
  block_number: number;
  log_index: number;
  tx_hash: string;
  /** Epoch ms of the block. */
  at: number;
  /** issued | status | ban | unban | requirement | challenge-upheld | challenge-rejected */
  decision: string;
  license_id: string | null;
  identity: string | null;
  challenge_id: string | null;
  status: string | null;
  previous_status: string | null;
  /** The published reason (or ruling URI). */
  reason: string;
  by_address: string | null;
  /** Decimal wei where the decision moved an amount (requirement, slash). */
  amount: string | null;
}

export interface LicensingMetricsMonthsTable {
  month: string;
  doc: string;
  published_at: number;
}
