// The streak state machine. A connected week adds one to the streak and the level follows the streak
// (levels start at 0, 4, 21 and 36 weeks). A missed week leaves the streak where it is; every
// MISSED_WEEKS_PER_DROP consecutive missed weeks drop one level (never below 1) and put the streak at
// the start of the new level, so climbing back takes the weeks that level needs again.
import { MISSED_WEEKS_PER_DROP, STREAK_LEVELS, type StreakLevel } from './reward-rules.ts';

export interface StreakState {
  level: number;
  /** Streak weeks counted towards the level. */
  weeks: number;
  /** Consecutive missed weeks since the last connected week or level drop. */
  missed: number;
}

export const INITIAL_STREAK: StreakState = Object.freeze({ level: 1, weeks: 0, missed: 0 });

export function levelOf(level: number): StreakLevel {
  return STREAK_LEVELS[Math.min(Math.max(level, 1), STREAK_LEVELS.length) - 1]!;
}

export function levelForWeeks(weeks: number): number {
  let level = 1;
  for (const l of STREAK_LEVELS) if (weeks >= l.minWeeks) level = l.level;
  return level;
}

export function advanceStreak(prev: StreakState, connected: boolean): StreakState {
  if (connected) {
    const weeks = prev.weeks + 1;
    return { level: levelForWeeks(weeks), weeks, missed: 0 };
  }
  const missed = prev.missed + 1;
  if (missed < MISSED_WEEKS_PER_DROP) return { level: prev.level, weeks: prev.weeks, missed };
  const level = Math.max(1, prev.level - 1);
  return { level, weeks: levelOf(level).minWeeks, missed: 0 };
}

/** The state after a history of weeks (true = connected), from the initial state. */
export function streakAfter(history: Iterable<boolean>, from: StreakState = INITIAL_STREAK): StreakState {
  let state = from;
  for (const connected of history) state = advanceStreak(state, connected);
  return state;
}
