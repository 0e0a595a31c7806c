// Webhook conditions are CEL expressions over one signal sample, with DIMO's variables: `value`
// (number, string, or {latitude, longitude, hdop} for locations), `valueNumber`, `valueString`,
// `source`, and the same of the vehicle's previous sample of that signal (`previousValue`,
// `previousValueNumber`, `previousValueString`, `previousSource`), plus `hasPreviousValue` (false for
// the first sample this node sees; the previous* variables are then null, 0 and ""). Expressions are
// type-checked at create time and must yield a bool; e.g. `valueNumber > 100`,
// `valueNumber - previousValueNumber > 10.0`, `valueString != previousValueString`.
import { Environment } from '@marcbachmann/cel-js';
import { OdmError } from '../core/errors.ts';

export interface SampleVars {
  value: number | string | { latitude: number; longitude: number; hdop: number | null };
  source: string;
}

export interface ConditionInput {
  current: SampleVars;
  previous: SampleVars | undefined;
}

export type Condition = (input: ConditionInput) => boolean;

export const MAX_CONDITION_LENGTH = 1000;

const env = new Environment({ limits: { maxAstNodes: 500, maxDepth: 32, maxListElements: 100, maxMapEntries: 50, maxCallArguments: 8 } })
  .registerVariable('value', 'dyn')
  .registerVariable('valueNumber', 'double')
  .registerVariable('valueString', 'string')
  .registerVariable('source', 'string')
  .registerVariable('previousValue', 'dyn')
  .registerVariable('previousValueNumber', 'double')
  .registerVariable('previousValueString', 'string')
  .registerVariable('previousSource', 'string')
  .registerVariable('hasPreviousValue', 'bool');

function invalid(message: string, condition: string): OdmError {
  return new OdmError('ODM_ERR_WEBHOOK_CONDITION_INVALID', `invalid CEL condition: ${message}`, { status: 400, details: { condition: condition.slice(0, 200) } });
}

function asCel(v: SampleVars['value']): unknown {
  // Location values are CEL maps; CEL doubles are JS numbers (integers parse as BigInt only in literals).
  return typeof v === 'object' ? { latitude: v.latitude, longitude: v.longitude, hdop: v.hdop ?? 0 } : v;
}

/** Type-checks and compiles a condition; ODM_ERR_WEBHOOK_CONDITION_INVALID (400) when it is not a bool expression. */
export function compileCondition(condition: string): Condition {
  if (typeof condition !== 'string' || condition.trim() === '') throw invalid('the condition is empty', String(condition));
  if (condition.length > MAX_CONDITION_LENGTH) throw invalid(`longer than ${MAX_CONDITION_LENGTH} characters`, condition);
  let checked;
  try {
    checked = env.check(condition);
  } catch (err) {
    throw invalid(err instanceof Error ? err.message.split('\n')[0]! : String(err), condition);
  }
  if (!checked.valid) throw invalid(checked.error?.message.split('\n')[0] ?? 'does not type-check', condition);
  if (checked.type !== 'bool' && checked.type !== 'dyn') throw invalid(`it yields ${checked.type}, not bool`, condition);
  const program = env.parse(condition);
  return ({ current, previous }) => {
    const vars = {
      value: asCel(current.value),
      valueNumber: typeof current.value === 'number' ? current.value : 0,
      valueString: typeof current.value === 'string' ? current.value : '',
      source: current.source,
      previousValue: previous ? asCel(previous.value) : null,
      previousValueNumber: previous && typeof previous.value === 'number' ? previous.value : 0,
      previousValueString: previous && typeof previous.value === 'string' ? previous.value : '',
      previousSource: previous?.source ?? '',
      hasPreviousValue: previous !== undefined,
    };
    // A runtime error (e.g. comparing a location with a number) means "does not fire", not a crash.
    try {
      return program(vars) === true;
    } catch {
      return false;
    }
  };
}
