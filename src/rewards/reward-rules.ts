// The rewards rules. They are protocol parameters, not node configuration: every node must compute the
// same root from the same data, so they live in code and change only with RULES_VERSION (a week keeps
// the version it was computed under).
//
// A connected week (the vehicle has stored data in an hour chunk starting inside the week) earns:
//   connection   per distinct connection kind seen that week: software integration 1,000, aftermarket device 4,000
//   streak       by level: 1 → 0, 2 → 1,000, 3 → 2,000, 4 → 3,000 (levels start at 0, 4, 21, 36 connected weeks)
//   location     opting out of location sharing removes 25 % of connection + streak points (rounded down)
//   unions       +250 per data union the vehicle belongs to
// One reward per VIN per week: of vehicles sharing a VIN hash, only the one with the most points earns
// (ties: the lowest token id). The week's rewards budget is split pro rata by points; see allocation.ts.
export const RULES_VERSION = '1';

export type ConnectionKind = 'software' | 'aftermarket';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['software', 'aftermarket'];

export const CONNECTION_POINTS: Record<ConnectionKind, number> = { software: 1_000, aftermarket: 4_000 };

export interface StreakLevel {
  level: number;
  /** Consecutive connected weeks that reach this level. */
  minWeeks: number;
  points: number;
}

export const STREAK_LEVELS: readonly StreakLevel[] = [
  { level: 1, minWeeks: 0, points: 0 },
  { level: 2, minWeeks: 4, points: 1_000 },
  { level: 3, minWeeks: 21, points: 2_000 },
  { level: 4, minWeeks: 36, points: 3_000 },
];

/** Every this many consecutive missed weeks drops one level. */
export const MISSED_WEEKS_PER_DROP = 3;

export const LOCATION_OPT_OUT_REDUCTION_PCT = 25;

export const UNION_BONUS_POINTS = 250;

export const WEEK_MS = 7 * 86_400_000;

/** A VIN hash of all zeros means "unknown": such vehicles are never grouped by VIN. */
export const ZERO_VIN_HASH = '0x' + '0'.repeat(64);
