// DIMO's interval strings: Go durations, a sequence of decimal numbers with optional fraction and a unit
// (`300ms`, `1.5h`, `2h45m`); units ms, s, m, h (and us/µs/ns rounded to whole milliseconds).
import { OdmError } from '../../core/errors.ts';

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `text`; ODM_ERR_VALIDATION for anything else, for zero and for under a millisecond. */
export function parseInterval(text: unknown): number {
  const s = typeof text === 'string' ? text : '';
  let total = 0;
  let at = 0;
  PART.lastIndex = 0;
  if (s.length > 0 && s.length <= 64) {
    for (let m = PART.exec(s); m; m = PART.exec(s)) {
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
      at = PART.lastIndex;
    }
  }
  if (s.length === 0 || at !== s.length || !Number.isFinite(total)) {
    throw new OdmError('ODM_ERR_VALIDATION', `interval ${JSON.stringify(String(text).slice(0, 40))} is not a duration like "1h", "15m", "300ms" or "2h45m"`, { details: { argument: 'interval' } });
  }
  const ms = Math.round(total);
  if (ms < 1) throw new OdmError('ODM_ERR_VALIDATION', 'interval must be at least 1ms', { details: { argument: 'interval' } });
  return ms;
}
