// The shape of every protocol subcommand: open the chain, do one thing, print what it did (text or
// --json). Errors propagate to main.ts, which prints `opendimo: ODM_ERR_…: message`.
import type { Command } from 'commander';
import { OdmError } from '../../core/errors.ts';
import { formatDimo, output } from './cli-values.ts';
import { openProtocolClient, type ChainFlags, type ProtocolClient, type SentTx } from './protocol-client.ts';

export type ActionFlags = ChainFlags & Record<string, unknown>;

export interface ActionResult {
  /** What --json prints. */
  result: Record<string, unknown>;
  /** What people read; the last line of a transaction is its hash. */
  lines: string[];
}

export function protocolAction(fn: (client: ProtocolClient, args: string[], flags: ActionFlags) => Promise<ActionResult>) {
  return async (...params: unknown[]): Promise<void> => {
    const cmd = params.at(-1) as Command;
    const flags = cmd.opts<ActionFlags>();
    const client = await openProtocolClient(flags);
    const { result, lines } = await fn(client, cmd.args, flags);
    output(flags, result, lines);
  };
}

/**
 * Approves `spender` (a deployed contract) for `amount` of `token` unless the allowance covers it; refuses
 * before approving anything when the signer cannot pay.
 */
export async function ensureAllowance(client: ProtocolClient, spender: string, amount: bigint, token = 'DimoToken'): Promise<SentTx | undefined> {
  const owner = client.signer().address;
  const [balance, allowance] = await Promise.all([
    client.read<bigint>(token, 'balanceOf', [owner]),
    client.read<bigint>(token, 'allowance', [owner, client.address(spender)]),
  ]);
  if (balance < amount) {
    const show = (v: bigint) => (token === 'DimoToken' ? formatDimo(v) : `${v} base units of ${token}`);
    throw new OdmError('ODM_ERR_TOKEN_BALANCE_TOO_LOW', `${owner} holds ${show(balance)}; this needs ${show(amount)}`, { status: 402, details: { token, balance: balance.toString(), needed: amount.toString() } });
  }
  if (allowance >= amount) return undefined;
  return client.send(token, 'approve', [client.address(spender), amount]);
}
