// `opendimo pay …`: DIMO Pay subscriptions (an app pays per vehicle per period; each payment is split
// between the vehicle's owner, the node operator and the treasury).
import type { Command } from 'commander';
import type { Address } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { chainOptions, formatDimo, formatTime, parseAddress, parseDimo, parseId, parseUint } from '../protocol/cli-values.ts';
import { ensureAllowance, protocolAction as run } from '../protocol/protocol-action.ts';
import { CHAIN_OPTIONS_HELP, eventOf, type ProtocolClient } from '../protocol/protocol-client.ts';

interface Subscription {
  appLicenseId: bigint;
  vehicleId: bigint;
  nodeLicenseId: bigint;
  pricePerPeriod: bigint;
  periodSeconds: bigint;
  start: bigint;
  end: bigint;
  status: number;
}

const STATUS = ['none', 'active', 'cancelled'];

/** `dimo`, `stable` or a token address → the deployment name to approve through (if any) and the address. */
function tokenOf(client: ProtocolClient, text: string): { name: string | undefined; address: Address } {
  if (text === 'dimo') return { name: 'DimoToken', address: client.address('DimoToken') };
  if (text === 'stable') return { name: 'StableToken', address: client.address('StableToken') };
  const address = parseAddress(text, '--token');
  const name = Object.entries(client.deployment.contracts).find(([, a]) => a.toLowerCase() === address.toLowerCase())?.[0];
  return { name, address };
}

export function registerPay(program: Command): void {
  const pay = program
    .command('pay')
    .description('DIMO Pay: subscribe an app to a vehicle\'s data through a node, pay periods, show a subscription')
    .addHelpText('after', CHAIN_OPTIONS_HELP);

  chainOptions(
    pay
      .command('subscribe')
      .description('open a subscription (the app license\'s holder); nothing is covered until the first payment')
      .requiredOption('--app <licenseId>', 'the app license')
      .requiredOption('--vehicle <vehicleId>', 'the vehicle')
      .requiredOption('--node <licenseId>', 'the node license serving the vehicle')
      .requiredOption('--price <amount>', 'DIMO per period'),
  ).action(
    run(async (client, _args, flags) => {
      const args = [parseId(String(flags.app), '--app'), parseId(String(flags.vehicle), '--vehicle'), parseId(String(flags.node), '--node'), parseDimo(String(flags.price), '--price')];
      const sent = await client.send('DimoPay', 'subscribe', args);
      const ev = eventOf(sent.events, 'DimoPay', 'SubscriptionCreated');
      return {
        result: { action: 'subscribe', subscriptionId: ev.subscriptionId, appLicenseId: args[0], vehicleId: args[1], nodeLicenseId: args[2], pricePerPeriod: args[3], periodSeconds: ev.periodSeconds, tx: sent.hash },
        lines: [
          `opened subscription ${String(ev.subscriptionId)}: app license ${args[0]} → vehicle ${args[1]} via node license ${args[2]}, ${formatDimo(args[3]!)} per ${Number(ev.periodSeconds) / 86_400} days`,
          `tx ${sent.hash}`,
        ],
      };
    }),
  );

  chainOptions(
    pay
      .command('pay')
      .description('pay whole periods of a subscription (approves DimoPay for the quoted amount first if needed)')
      .argument('<subscriptionId>')
      .option('--periods <n>', 'how many periods', '1')
      .option('--token <token>', 'dimo, stable, or a token address the price feed prices', 'dimo'),
  ).action(
    run(async (client, [id], flags) => {
      const subscriptionId = parseId(id!, 'subscription id');
      const periods = parseUint(String(flags.periods), '--periods');
      const token = tokenOf(client, String(flags.token));
      const amount = await client.read<bigint>('DimoPay', 'quote', [subscriptionId, periods, token.address]);
      if (!token.name) throw new OdmError('ODM_ERR_VALIDATION', 'pay with dimo, stable, or a token of this deployment', { status: 400 });
      const approved = await ensureAllowance(client, 'DimoPay', amount, token.name);
      const sent = await client.send('DimoPay', 'pay', [subscriptionId, periods, token.address]);
      const made = eventOf(sent.events, 'DimoPay', 'PaymentMade');
      const split = eventOf(sent.events, 'DimoPay', 'PaymentSplit');
      const lines = [
        `paid ${periods} period(s) of subscription ${subscriptionId}: ${String(made.amount)} base units of ${token.name} (worth ${formatDimo(made.dimoValue as bigint)}); covered until ${formatTime(made.paidUntil as bigint)}`,
        `  owner ${String(split.ownerShare)} · node ${String(split.nodeShare)} · treasury ${String(split.treasuryShare)}`,
      ];
      if (approved) lines.push(`approve tx ${approved.hash}`);
      lines.push(`tx ${sent.hash}`);
      return { result: { action: 'pay', subscriptionId, paymentId: made.paymentId, amount: made.amount, paidUntil: made.paidUntil, split, approveTx: approved?.hash, tx: sent.hash }, lines };
    }),
  );

  chainOptions(pay.command('show').description('show a subscription as the chain reports it').argument('<subscriptionId>')).action(
    run(async (client, [id]) => {
      const subscriptionId = parseId(id!, 'subscription id');
      const [s, current] = await Promise.all([client.read<Subscription>('DimoPay', 'subscription', [subscriptionId]), client.read<boolean>('DimoPay', 'isCurrent', [subscriptionId])]);
      const status = STATUS[s.status] ?? String(s.status);
      return {
        result: { subscriptionId, ...s, status, current },
        lines: [
          `subscription ${subscriptionId} · ${status}${current ? ' · paid up' : ' · not paid up'}`,
          `  app license   ${s.appLicenseId}`,
          `  vehicle       ${s.vehicleId}`,
          `  node license  ${s.nodeLicenseId}`,
          `  price         ${formatDimo(s.pricePerPeriod)} per ${Number(s.periodSeconds) / 86_400} days`,
          `  started       ${formatTime(s.start)}`,
          `  paid until    ${s.end === s.start ? '— (nothing paid)' : formatTime(s.end)}`,
        ],
      };
    }),
  );
}
