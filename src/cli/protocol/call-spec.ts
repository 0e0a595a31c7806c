// Governance actions written the way people read them: `Licenses.setMinimumStake(2, 20000e18)`.
// Arguments are coerced by the function's ABI: integers accept 20000e18, addresses accept a deployed
// contract's name (`DimoTimelock`), strings may be quoted, arrays and tuples are JSON.
import { decodeFunctionData, encodeFunctionData, type AbiFunction, type AbiParameter, type Address, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { parseAddress, parseUint } from './cli-values.ts';
import type { ProtocolClient } from './protocol-client.ts';

export interface ContractCall {
  contract: string;
  target: Address;
  functionName: string;
  args: unknown[];
  calldata: Hex;
}

export function parseCall(client: ProtocolClient, spec: string): ContractCall {
  const m = /^\s*([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*$/.exec(spec);
  if (!m) throw bad(spec, 'write an action as Contract.function(arg, …), e.g. Licenses.setMinimumStake(2, 20000e18)');
  const [, contract, functionName, argText] = m as unknown as [string, string, string, string];
  const target = client.address(contract);
  const texts = splitArgs(argText);
  const candidates = client.abi(contract).filter((i): i is AbiFunction => i.type === 'function' && i.name === functionName && i.inputs.length === texts.length);
  if (candidates.length !== 1) {
    throw bad(spec, candidates.length === 0 ? `${contract} has no function ${functionName} taking ${texts.length} argument(s)` : `${contract}.${functionName} is overloaded; cannot tell which one`);
  }
  const fn = candidates[0]!;
  const args = fn.inputs.map((input, i) => coerce(client, input, texts[i]!, `${functionName} argument ${input.name || i + 1}`));
  const calldata = encodeFunctionData({ abi: [fn], functionName, args });
  return { contract, target, functionName, args, calldata };
}

/** `Contract.function(args)` for an action already on chain (unknown targets shown raw). */
export function describeCall(client: ProtocolClient, target: string, calldata: Hex): string {
  const contract = Object.entries(client.deployment.contracts).find(([, a]) => a.toLowerCase() === target.toLowerCase())?.[0];
  if (!contract) return `${target} ${calldata}`;
  try {
    const { functionName, args } = decodeFunctionData({ abi: client.abi(contract), data: calldata });
    return `${contract}.${functionName}(${(args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : JSON.stringify(a))).join(', ')})`;
  } catch {
    return `${contract} ${calldata}`;
  }
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const ch of text) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === '[' || ch === '{' || ch === '(') {
      depth++;
      current += ch;
    } else if (ch === ']' || ch === '}' || ch === ')') {
      depth--;
      current += ch;
    } else if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim() !== '' || out.length > 0) out.push(current.trim());
  return out;
}

function unquote(text: string): string {
  return /^(["']).*\1$/s.test(text) ? text.slice(1, -1) : text;
}

function coerce(client: ProtocolClient, param: AbiParameter, text: string, what: string): unknown {
  const type = param.type;
  if (type.endsWith(']') || type === 'tuple') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw bad(text, `${what} (${type}) must be JSON`);
    }
    if (type === 'tuple') return value;
    const inner = { ...param, type: type.slice(0, type.lastIndexOf('[')) } as AbiParameter;
    if (!Array.isArray(value)) throw bad(text, `${what} (${type}) must be a JSON array`);
    return value.map((v, i) => coerce(client, inner, typeof v === 'string' ? v : JSON.stringify(v), `${what}[${i}]`));
  }
  const raw = unquote(text);
  if (/^u?int\d*$/.test(type)) {
    if (type.startsWith('int') && raw.startsWith('-')) return -parseUint(raw.slice(1), what);
    return parseUint(raw, what);
  }
  if (type === 'address') return client.deployment.contracts[raw] ?? parseAddress(raw, what);
  if (type === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw bad(text, `${what} must be true or false`);
    return raw === 'true';
  }
  if (type === 'string') return raw;
  if (/^bytes\d*$/.test(type)) {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(raw)) throw bad(text, `${what} must be 0x hex`);
    return raw;
  }
  throw bad(text, `${what} has type ${type}, which actions cannot express`);
}

function bad(text: string, message: string): OdmError {
  return new OdmError('ODM_ERR_VALIDATION', message, { status: 400, details: { input: text } });
}
