// The streak state machine on a table of cases: histories of connected (C) and missed (m) weeks from a
// new vehicle, and the level, streak weeks and missed count after them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceStreak, INITIAL_STREAK, levelForWeeks, streakAfter, type StreakState } from './streak.ts';

const run = (pattern: string, from: StreakState = INITIAL_STREAK) =>
  streakAfter([...pattern.replace(/\s+/g, '')].map((ch) => {
    assert.ok(ch === 'C' || ch === 'm', `bad history char ${ch}`);
    return ch === 'C';
  }), from);
const C = (n: number) => 'C'.repeat(n);
const m = (n: number) => 'm'.repeat(n);

const CASES: Array<[name: string, history: string, expected: StreakState]> = [
  ['a new vehicle', '', { level: 1, weeks: 0, missed: 0 }],
  ['one connected week', C(1), { level: 1, weeks: 1, missed: 0 }],
  ['3 weeks: still level 1', C(3), { level: 1, weeks: 3, missed: 0 }],
  ['4 weeks reach level 2', C(4), { level: 2, weeks: 4, missed: 0 }],
  ['20 weeks: still level 2', C(20), { level: 2, weeks: 20, missed: 0 }],
  ['21 weeks reach level 3', C(21), { level: 3, weeks: 21, missed: 0 }],
  ['36 weeks reach level 4', C(36), { level: 4, weeks: 36, missed: 0 }],
  ['100 weeks stay at level 4', C(100), { level: 4, weeks: 100, missed: 0 }],
  ['one missed week pauses the streak', C(10) + m(1), { level: 2, weeks: 10, missed: 1 }],
  ['two missed weeks keep the level', C(10) + m(2), { level: 2, weeks: 10, missed: 2 }],
  ['connecting again resets the missed count', C(10) + m(2) + C(1), { level: 2, weeks: 11, missed: 0 }],
  ['2 missed, connect, 2 missed: no drop', C(10) + m(2) + C(1) + m(2), { level: 2, weeks: 11, missed: 2 }],
  ['3 missed weeks drop a level to its start', C(10) + m(3), { level: 1, weeks: 0, missed: 0 }],
  ['level 3, 3 missed → level 2 at 4 weeks', C(25) + m(3), { level: 2, weeks: 4, missed: 0 }],
  ['level 4, 3 missed → level 3 at 21 weeks', C(40) + m(3), { level: 3, weeks: 21, missed: 0 }],
  ['level 4, 6 missed → level 2', C(40) + m(6), { level: 2, weeks: 4, missed: 0 }],
  ['level 4, 7 missed → level 2, one missed counted', C(40) + m(7), { level: 2, weeks: 4, missed: 1 }],
  ['level 4, 9 missed → level 1', C(40) + m(9), { level: 1, weeks: 0, missed: 0 }],
  ['level 4, 12 missed never goes below level 1', C(40) + m(12), { level: 1, weeks: 0, missed: 0 }],
  ['level 1 cannot drop', C(2) + m(3), { level: 1, weeks: 0, missed: 0 }],
  ['after a drop to 3, 15 weeks climb back to 4', C(40) + m(3) + C(15), { level: 4, weeks: 36, missed: 0 }],
  ['after a drop to 3, 14 weeks are not enough', C(40) + m(3) + C(14), { level: 3, weeks: 35, missed: 0 }],
  ['a vehicle never seen missing weeks stays at the start', m(5), { level: 1, weeks: 0, missed: 2 }],
];

for (const [name, history, expected] of CASES) {
  test(`streak: ${name}`, () => {
    assert.deepEqual(run(history), expected);
  });
}

test('the level always follows the streak weeks', () => {
  let s = INITIAL_STREAK;
  let seed = 7;
  for (let i = 0; i < 5_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    s = advanceStreak(s, seed % 3 !== 0);
    assert.equal(s.level, levelForWeeks(s.weeks));
    assert.ok(s.missed >= 0 && s.missed < 3);
  }
});
