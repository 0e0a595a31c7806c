// Value filters of the telemetry schema. SignalFloatFilter: every condition given must hold (eq, neq, gt,
// lt, gte, lte, in, notIn); `or` lists alternatives, so a value matches when it meets all the filter's own
// conditions or any alternative (a filter with only `or` matches any alternative). String filters work
// the same way; StringArrayFilter tests a list (event tags).
import { OdmError } from '../../core/errors.ts';

export interface FloatFilter {
  eq?: number | null;
  neq?: number | null;
  gt?: number | null;
  lt?: number | null;
  gte?: number | null;
  lte?: number | null;
  in?: number[] | null;
  notIn?: number[] | null;
  or?: FloatFilter[] | null;
}

export type FloatTest = (x: number) => boolean;

const MAX_DEPTH = 4;
const MAX_LIST = 1000;

export function compileFloatFilter(f: FloatFilter | null | undefined, depth = 0): FloatTest | undefined {
  if (!f) return undefined;
  if (depth > MAX_DEPTH) throw new OdmError('ODM_ERR_VALIDATION', `filters nest at most ${MAX_DEPTH} levels of or`);
  const own: FloatTest[] = [];
  const { eq, neq, gt, lt, gte, lte } = f;
  if (eq != null) own.push((x) => x === eq);
  if (neq != null) own.push((x) => x !== neq);
  if (gt != null) own.push((x) => x > gt);
  if (lt != null) own.push((x) => x < lt);
  if (gte != null) own.push((x) => x >= gte);
  if (lte != null) own.push((x) => x <= lte);
  if (f.in != null) {
    if (f.in.length > MAX_LIST) throw new OdmError('ODM_ERR_VALIDATION', `in takes at most ${MAX_LIST} values`);
    const set = new Set(f.in);
    own.push((x) => set.has(x));
  }
  if (f.notIn != null) {
    if (f.notIn.length > MAX_LIST) throw new OdmError('ODM_ERR_VALIDATION', `notIn takes at most ${MAX_LIST} values`);
    const set = new Set(f.notIn);
    own.push((x) => !set.has(x));
  }
  const alts = (f.or ?? []).map((o) => compileFloatFilter(o, depth + 1)).filter((t): t is FloatTest => t !== undefined);
  if (own.length === 0 && alts.length === 0) return undefined;
  const all: FloatTest = own.length === 1 ? own[0]! : (x) => own.every((t) => t(x));
  if (alts.length === 0) return all;
  if (own.length === 0) return (x) => alts.some((t) => t(x));
  return (x) => all(x) || alts.some((t) => t(x));
}

/**
 * What a filter does to every value in [min, max], when that can be told from the range alone: `all`
 * pass, `none` pass, or `some` (unknown: look at the values). Lets whole chunks use their rollups.
 */
export function rangeVerdict(f: FloatFilter | null | undefined, min: number, max: number): 'all' | 'none' | 'some' {
  if (!f) return 'all';
  if (f.or && f.or.length > 0) return 'some';
  if (f.in != null || f.notIn != null) return 'some';
  let verdict: 'all' | 'none' | 'some' = 'all';
  const fold = (v: 'all' | 'none' | 'some') => {
    if (v === 'none' || verdict === 'none') verdict = 'none';
    else if (v === 'some') verdict = 'some';
  };
  if (f.gt != null) fold(min > f.gt ? 'all' : max <= f.gt ? 'none' : 'some');
  if (f.gte != null) fold(min >= f.gte ? 'all' : max < f.gte ? 'none' : 'some');
  if (f.lt != null) fold(max < f.lt ? 'all' : min >= f.lt ? 'none' : 'some');
  if (f.lte != null) fold(max <= f.lte ? 'all' : min > f.lte ? 'none' : 'some');
  if (f.eq != null) fold(min === f.eq && max === f.eq ? 'all' : f.eq < min || f.eq > max ? 'none' : 'some');
  if (f.neq != null) fold(f.neq < min || f.neq > max ? 'all' : min === f.neq && max === f.neq ? 'none' : 'some');
  return verdict;
}

export interface StringFilter {
  eq?: string | null;
  neq?: string | null;
  in?: string[] | null;
  notIn?: string[] | null;
  startsWith?: string | null;
  or?: StringFilter[] | null;
}

export function matchString(f: StringFilter | null | undefined, s: string, depth = 0): boolean {
  if (!f) return true;
  if (depth > MAX_DEPTH) throw new OdmError('ODM_ERR_VALIDATION', `filters nest at most ${MAX_DEPTH} levels of or`);
  const checks: boolean[] = [];
  if (f.eq != null) checks.push(s === f.eq);
  if (f.neq != null) checks.push(s !== f.neq);
  if (f.in != null) checks.push(f.in.includes(s));
  if (f.notIn != null) checks.push(!f.notIn.includes(s));
  if (f.startsWith != null) checks.push(s.startsWith(f.startsWith));
  const alts = f.or ?? [];
  if (checks.length === 0 && alts.length === 0) return true;
  const own = checks.length > 0 && checks.every(Boolean);
  return own || alts.some((o) => matchString(o, s, depth + 1));
}

export interface StringArrayFilter {
  containsAny?: string[] | null;
  containsAll?: string[] | null;
  notContainsAny?: string[] | null;
  notContainsAll?: string[] | null;
  or?: StringArrayFilter[] | null;
}

export function matchStringArray(f: StringArrayFilter | null | undefined, list: readonly string[], depth = 0): boolean {
  if (!f) return true;
  if (depth > MAX_DEPTH) throw new OdmError('ODM_ERR_VALIDATION', `filters nest at most ${MAX_DEPTH} levels of or`);
  const has = new Set(list);
  const checks: boolean[] = [];
  if (f.containsAny != null) checks.push(f.containsAny.some((t) => has.has(t)));
  if (f.containsAll != null) checks.push(f.containsAll.every((t) => has.has(t)));
  if (f.notContainsAny != null) checks.push(!f.notContainsAny.some((t) => has.has(t)));
  if (f.notContainsAll != null) checks.push(!f.notContainsAll.every((t) => has.has(t)));
  const alts = f.or ?? [];
  if (checks.length === 0 && alts.length === 0) return true;
  const own = checks.length > 0 && checks.every(Boolean);
  return own || alts.some((o) => matchStringArray(o, list, depth + 1));
}
