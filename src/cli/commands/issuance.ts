// `opendimo issuance …`: trigger the weekly DIMO issuance (anyone may, once a week has begun) and show
// where the schedule stands.
import type { Command } from 'commander';
import { chainOptions, formatDimo, formatTime } from '../protocol/cli-values.ts';
import { protocolAction as run } from '../protocol/protocol-action.ts';
import { CHAIN_OPTIONS_HELP, eventOf } from '../protocol/protocol-client.ts';

export function registerIssuance(program: Command): void {
  const issuance = program
    .command('issuance')
    .description('weekly DIMO issuance: 1,105,000 DIMO × 0.85^floor(week/52), split into rewards, team and DAO budgets')
    .addHelpText('after', CHAIN_OPTIONS_HELP);

  chainOptions(issuance.command('mint').description('mint the next unminted week, if it has begun (anyone may; missed weeks catch up one per call)')).action(
    run(async (client) => {
      const sent = await client.send('Issuance', 'mintWeek');
      const ev = eventOf(sent.events, 'Issuance', 'WeekMinted');
      return {
        result: { action: 'mint', week: ev.week, total: ev.total, rewards: ev.rewards, team: ev.team, dao: ev.dao, tx: sent.hash },
        lines: [
          `minted week ${String(ev.week)}: ${formatDimo(ev.total as bigint)}`,
          `  rewards ${formatDimo(ev.rewards as bigint)} → ${String(ev.rewardsRecipient)}`,
          `  team    ${formatDimo(ev.team as bigint)} → ${String(ev.teamRecipient)}`,
          `  dao     ${formatDimo(ev.dao as bigint)} → ${String(ev.daoRecipient)}`,
          `tx ${sent.hash}`,
        ],
      };
    }),
  );

  chainOptions(issuance.command('show').description('the next week to mint, when it begins and how much it mints')).action(
    run(async (client) => {
      const [nextWeek, start, split] = await Promise.all([
        client.read<bigint>('Issuance', 'nextWeek'),
        client.read<bigint>('Issuance', 'start'),
        client.read<readonly [number, number, number]>('Issuance', 'split'),
      ]);
      const amount = await client.read<bigint>('Issuance', 'weeklyAmount', [nextWeek]);
      const startsAt = start + nextWeek * 7n * 86_400n;
      return {
        result: { nextWeek, startsAt, amount, splitBps: { rewards: split[0], team: split[1], dao: split[2] } },
        lines: [
          `next week to mint: ${nextWeek} (begins ${formatTime(startsAt)})`,
          `  amount  ${formatDimo(amount)}`,
          `  split   rewards ${split[0] / 100}% · team ${split[1] / 100}% · dao ${split[2] / 100}%`,
        ],
      };
    }),
  );
}
