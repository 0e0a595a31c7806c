// `opendimo rewards …`: compute a week's rewards from the node's stored data and post its Merkle root
// (RewardsPayout.postRoot, signed with OPENDIMO_KEY, which must hold REWARDS_POSTER_ROLE — on the
// embedded chain, anvil dev key 0), or show a computed week.
import type { Command } from 'commander';
import { formatUnits } from 'viem';
import { loadConfig } from '../../config/load-config.ts';
import { systemClock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { openRewardsRunner } from '../../rewards/rewards-runner.ts';
import { RULES_SUMMARY, describeReason, weekView } from '../../rewards/rewards-view.ts';
import { progressBar } from '../progress-bar.ts';
import { chainOptions, formatDimo, output, parseUint } from '../protocol/cli-values.ts';
import { CHAIN_OPTIONS_HELP, openProtocolClient, type ChainFlags } from '../protocol/protocol-client.ts';

interface RewardsFlags extends ChainFlags {
  week: string;
  databaseUrl?: string;
  regather?: boolean;
  post?: boolean;
  vehicle?: string;
  entries?: boolean;
}

function nodeConfig(flags: RewardsFlags) {
  // The chain comes from --rpc/--deployment (the protocol client); the node config only locates the data.
  const env = { ...process.env };
  delete env.OPENDIMO_RPC_URL;
  delete env.OPENDIMO_DEPLOYMENT_FILE;
  return loadConfig({ mode: 'node', env, overrides: { dataDir: flags.dataDir, databaseUrl: flags.databaseUrl } });
}

function weekOf(flags: RewardsFlags): number {
  const week = parseUint(flags.week, '--week');
  if (week > 1_000_000n) throw new OdmError('ODM_ERR_VALIDATION', '--week must be a week number');
  return Number(week);
}

const dimo = (wei: bigint) => formatDimo(wei);

export function registerRewards(program: Command): void {
  const rewards = program
    .command('rewards')
    .description('weekly rewards: points per connection kind, streak levels, location opt-out, data unions; one reward per VIN; the budget split pro rata, posted as a Merkle root')
    .addHelpText('after', CHAIN_OPTIONS_HELP);

  chainOptions(rewards.command('compute').description('compute week N from stored data (minting it first if needed) and post its root; rerunning gives the same root'))
    .requiredOption('--week <n>', 'issuance week number')
    .option('--database-url <url>', 'postgres://… (env OPENDIMO_DATABASE_URL); default: SQLite in the data dir')
    .option('--regather', 'gather the inputs from stored data again instead of reusing the frozen ones')
    .option('--no-post', 'compute and store only; do not post the root')
    .action(async (flags: RewardsFlags) => {
      const week = weekOf(flags);
      const client = await openProtocolClient(flags);
      const logger = createLogger({ level: 'warn', pretty: false });
      const runner = await openRewardsRunner({
        config: nodeConfig(flags), logger, clock: systemClock,
        chain: {
          calls: client,
          now: async () => (await client.clients.publicClient.getBlock({ blockTag: 'latest' })).timestamp,
          contracts: client.deployment.contracts,
        },
      });
      const bar = progressBar(`week ${week}`);
      try {
        const r = await runner.engine!.compute(week, { regather: flags.regather === true, post: flags.post !== false, progress: bar.update });
        bar.done();
        const same = r.sameRoot === undefined ? 'first computation' : r.sameRoot ? 'same root as before' : `root changed (was ${r.previousRoot ?? 'none'})`;
        output(flags, { ...r, rules: RULES_SUMMARY.version }, [
          `week ${r.week}: ${new Date(r.weekStart).toISOString()} – ${new Date(r.weekEnd).toISOString()}`,
          `  vehicles ${r.vehicles} (${r.paidVehicles} paid), points ${r.totalPoints}`,
          `  budget   ${dimo(r.budget)}`,
          `  total    ${dimo(r.total)}`,
          `  root     ${r.root ?? '— (nobody earned)'}  [${same}; inputs ${r.reusedInputs ? 'frozen' : 'gathered now'}, sha256 ${r.inputsHash.slice(0, 16)}…]`,
          ...r.minted.map((tx) => `  minted an issuance week: tx ${tx}`),
          r.postedTx ? `posted: tx ${r.postedTx}` : r.posted ? 'posted: the chain already holds this root' : 'not posted',
        ]);
      } finally {
        bar.done();
        await runner.close();
      }
    });

  rewards.command('show').description('a computed week: summary, one vehicle with its reasons and claim proof (--vehicle), or every entry (--entries)')
    .requiredOption('--week <n>', 'issuance week number')
    .option('--vehicle <tokenId>', 'show one vehicle')
    .option('--entries', 'list every entry')
    .option('-d, --data-dir <dir>', 'data dir (env OPENDIMO_DATA_DIR; default ./.opendimo)')
    .option('--database-url <url>', 'postgres://… (env OPENDIMO_DATABASE_URL)')
    .option('--json', 'print one JSON object')
    .action(async (flags: RewardsFlags) => {
      const week = weekOf(flags);
      const runner = await openRewardsRunner({ config: nodeConfig(flags), logger: createLogger({ level: 'warn', pretty: false }), clock: systemClock });
      try {
        const w = await runner.rewards.week(week);
        if (!w) throw new OdmError('ODM_ERR_REWARDS_NOT_COMPUTED', `week ${week} has not been computed here; run \`opendimo rewards compute --week ${week}\``);
        const lines = [
          `week ${w.week}: ${new Date(w.weekStart).toISOString()} – ${new Date(w.weekEnd).toISOString()} (rules v${w.rulesVersion})`,
          `  vehicles ${w.vehicles} (${w.paidVehicles} paid), points ${w.totalPoints}`,
          `  budget   ${dimo(w.budget)}`,
          `  total    ${dimo(w.total)}`,
          `  root     ${w.root ?? '—'}${w.postedTx ? ` (posted, tx ${w.postedTx})` : ' (not posted)'}`,
        ];
        const result: Record<string, unknown> = { week: weekView(w) };
        let entries = await runner.rewards.entries(week);
        if (flags.vehicle) {
          const id = parseUint(flags.vehicle, '--vehicle').toString();
          entries = entries.filter((e) => e.vehicleId === id);
          if (entries.length === 0) throw new OdmError('ODM_ERR_NOT_FOUND', `vehicle ${id} has no entry in week ${week}`);
        }
        if (flags.vehicle || flags.entries) {
          const views = [];
          for (const e of entries) {
            const claim = w.postedTx ? await runner.view.claimArgs(w, e) : undefined;
            views.push({ ...runner.view.entryView(e), ...(claim ? { claim } : {}) });
            lines.push(`vehicle ${e.vehicleId} → ${e.beneficiary}: ${e.points} points, ${formatUnits(e.amount, 18)} DIMO, streak level ${e.streak.level} (${e.streak.weeks} weeks)`);
            for (const r of e.reasons) lines.push(`    ${describeReason(r)}`);
            if (claim) lines.push(`    claim proof: [${claim.proof.join(', ')}]`);
          }
          result.entries = views;
        }
        output(flags, result, lines);
      } finally {
        await runner.close();
      }
    });
}
