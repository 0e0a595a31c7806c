// Parsing what people type (amounts in DIMO, ids, addresses) and printing what the chain says, for the
// protocol commands. Every parse failure is ODM_ERR_VALIDATION naming the option.
import type { Command } from 'commander';
import { formatUnits, isAddress, parseUnits, type Address } from 'viem';
import { OdmError } from '../../core/errors.ts';

/** "10000", "10,000", "10_000.5" DIMO → wei. */
export function parseDimo(text: string, what: string): bigint {
  const clean = String(text).replace(/[,_]/g, '').trim();
  if (!/^\d+(\.\d{1,18})?$/.test(clean)) throw invalid(what, text, 'an amount of DIMO such as 10000 or 0.5');
  return parseUnits(clean, 18);
}

/** A non-negative integer: decimal, 0x hex, or scientific with an integer result (20000e18). */
export function parseUint(text: string, what: string): bigint {
  const clean = String(text).replace(/[,_]/g, '').trim();
  if (/^\d+$/.test(clean) || /^0x[0-9a-fA-F]+$/.test(clean)) return BigInt(clean);
  const sci = /^(\d+)(?:\.(\d+))?e(\d+)$/i.exec(clean);
  if (sci) {
    const fraction = sci[2] ?? '';
    const exponent = Number(sci[3]);
    if (fraction.length <= exponent) return BigInt(sci[1]! + fraction) * 10n ** BigInt(exponent - fraction.length);
  }
  throw invalid(what, text, 'a whole number (e.g. 42, 0x2a or 20000e18)');
}

export function parseId(text: string, what: string): bigint {
  const id = parseUint(text, what);
  if (id === 0n) throw invalid(what, text, 'an id (ids start at 1)');
  return id;
}

export function parseAddress(text: string, what: string): Address {
  if (!isAddress(String(text), { strict: false })) throw invalid(what, text, 'a 0x address of 40 hex digits');
  return text as Address;
}

function invalid(what: string, text: unknown, expected: string): OdmError {
  return new OdmError('ODM_ERR_VALIDATION', `${what} must be ${expected}, got "${String(text)}"`, { status: 400, details: { option: what } });
}

/** 12345.5 DIMO with thousands separators, exact to the wei. */
export function formatDimo(wei: bigint): string {
  const [whole, fraction] = formatUnits(wei, 18).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}${fraction ? `.${fraction}` : ''} DIMO`;
}

export function formatTime(unixSeconds: bigint | number): string {
  const s = Number(unixSeconds);
  return s === 0 ? '—' : new Date(s * 1000).toISOString().replace('.000Z', 'Z');
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export interface OutputFlags {
  json?: boolean;
}

/** Prints `result` as JSON (--json) or the human lines. */
export function output(flags: OutputFlags, result: Record<string, unknown>, lines: string[]): void {
  process.stdout.write(flags.json ? `${toJson(result)}\n` : `${lines.join('\n')}\n`);
}

/** The options every protocol subcommand takes (see CHAIN_OPTIONS_HELP). */
export function chainOptions(cmd: Command): Command {
  return cmd
    .option('--rpc <url>', 'JSON-RPC URL of the chain (env OPENDIMO_RPC_URL)')
    .option('--deployment <file>', 'deployment JSON (env OPENDIMO_DEPLOYMENT_FILE; default <data dir>/chain/deployment.json)')
    .option('-d, --data-dir <dir>', 'data dir (env OPENDIMO_DATA_DIR; default ./.opendimo)')
    .option('--cache-dir <dir>', 'compiled-contract cache (default <data dir>/cache)')
    .option('--json', 'print one JSON object');
}
