// Runs the real `opendimo` protocol commands (license, gov, issuance, pay) as a child process against a
// test chain, with the signer's key in OPENDIMO_KEY as a user would. Not a test file itself.
import { toHex, type Hex } from 'viem';
import type { HDAccount, LocalAccount } from 'viem/accounts';
import { runCli } from '../../support/cli-process.ts';

export interface CliRun {
  code: number | null;
  /** stdout and stderr together. */
  out: string;
}

/** The private key of a dev account made from the test mnemonic (or a raw key). */
export function keyOf(account: LocalAccount | Hex): Hex {
  if (typeof account === 'string') return account;
  const key = (account as HDAccount).getHdKey?.().privateKey;
  if (!key) throw new Error(`no private key for ${account.address}`);
  return toHex(key);
}

/** A CLI bound to one chain: `chainArgs` go after the command's own arguments. */
export function protocolCli(chainArgs: string[]) {
  return async function cli(args: string[], signer?: LocalAccount | Hex): Promise<CliRun> {
    const run = runCli([...args, ...chainArgs], { OPENDIMO_KEY: signer ? keyOf(signer) : '' });
    const { code } = await run.exited;
    return { code, out: run.output() };
  };
}

/** Runs `cli` and fails with its output unless it exits 0. */
export async function ok(run: Promise<CliRun>): Promise<string> {
  const r = await run;
  if (r.code !== 0) throw new Error(`opendimo exited ${r.code}:\n${r.out}`);
  return r.out;
}

/** The JSON object a `--json` run printed. */
export function json(out: string): Record<string, unknown> {
  const start = out.indexOf('{');
  if (start < 0) throw new Error(`no JSON in:\n${out}`);
  return JSON.parse(out.slice(start, out.lastIndexOf('}') + 1)) as Record<string, unknown>;
}

/** The first capture of `re` in `out`, or a failure that shows the output. */
export function grab(out: string, re: RegExp): string {
  const m = re.exec(out);
  if (!m?.[1]) throw new Error(`${re} not found in:\n${out}`);
  return m[1];
}
