// `opendimo license …`: issue and enforce licenses (licensing team), stake and renounce (holders),
// challenge (any DIMO holder) and rule (arbiter), and show a license as the chain sees it.
import type { Command } from 'commander';
import { zeroHash, type Address, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { LICENSE_KINDS, isLicenseKind, kindId } from '../../licensing/license-types.ts';
import { formatRatio } from '../../licensing/stake-math.ts';
import { chainOptions, formatDimo, parseAddress, parseDimo, parseId } from '../protocol/cli-values.ts';
import { licenseLines, licensesHeldBy, readLicense } from '../protocol/license-view.ts';
import { CHAIN_OPTIONS_HELP, eventOf } from '../protocol/protocol-client.ts';
import { ensureAllowance, protocolAction as run, type ActionFlags as Flags } from '../protocol/protocol-action.ts';

function reasonOf(flags: Flags): string {
  const reason = flags.reason;
  if (typeof reason !== 'string' || reason.trim() === '') throw new OdmError('ODM_ERR_VALIDATION', '--reason <text> is required: it is recorded on chain', { status: 400 });
  return reason;
}

/** suspend / unsuspend / revoke: same shape, different function. */
function statusCommand(functionName: 'suspend' | 'unsuspend' | 'revoke', verb: string) {
  return run(async (client, [id], flags) => {
    const licenseId = parseId(id!, 'license id');
    const sent = await client.send('Licenses', functionName, [licenseId, reasonOf(flags)]);
    const ev = eventOf(sent.events, 'Licenses', 'LicenseStatusChanged');
    const status = (await readLicense(client, licenseId)).status;
    return {
      result: { action: functionName, licenseId, status, reason: ev.reason, tx: sent.hash },
      lines: [`${verb} license ${licenseId} (now ${status}): ${String(ev.reason)}`, `tx ${sent.hash}`],
    };
  });
}

export function registerLicense(program: Command): void {
  const license = program
    .command('license')
    .description('DIMO licenses (client / node / app): issue, stake, enforce, challenge, show')
    .addHelpText('after', CHAIN_OPTIONS_HELP);

  chainOptions(
    license
      .command('issue')
      .description('issue a license (licensing team)')
      .requiredOption('--to <address>', 'the holder')
      .requiredOption('--kind <kind>', `one of ${LICENSE_KINDS.join(', ')}`)
      .requiredOption('--legal-name <name>', 'legal name of the licensee')
      .option('--dba <name>', 'doing-business-as name', '')
      .option('--website <url>', 'website', '')
      .option('--support-email <email>', 'support e-mail', ''),
  ).action(
    run(async (client, _args, flags) => {
      const kind = String(flags.kind);
      if (!isLicenseKind(kind)) throw new OdmError('ODM_ERR_VALIDATION', `--kind must be one of ${LICENSE_KINDS.join(', ')}`, { status: 400 });
      const to = parseAddress(String(flags.to), '--to');
      const metadata = { legalName: String(flags.legalName), dba: String(flags.dba), website: String(flags.website), supportEmail: String(flags.supportEmail) };
      const sent = await client.send('Licenses', 'issue', [to, kindId(kind), metadata]);
      const licenseId = eventOf(sent.events, 'Licenses', 'LicenseIssued').licenseId as bigint;
      return {
        result: { action: 'issue', licenseId, holder: to, kind, tx: sent.hash },
        lines: [`issued ${kind} license ${licenseId} to ${to} (${metadata.legalName}); it needs stake before it is active`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(license.command('stake').description('stake DIMO on a license (approves the Licenses contract first if needed)').argument('<licenseId>').argument('<amount>', 'DIMO, e.g. 10000')).action(
    run(async (client, [id, amountText]) => {
      const licenseId = parseId(id!, 'license id');
      const amount = parseDimo(amountText!, 'amount');
      const approved = await ensureAllowance(client, 'Licenses', amount);
      const sent = await client.send('Licenses', 'stake', [licenseId, amount]);
      const total = eventOf(sent.events, 'Licenses', 'Staked').totalStake as bigint;
      const ratio = await client.read<bigint>('Licenses', 'trustRatio', [licenseId]);
      const lines = [`staked ${formatDimo(amount)} on license ${licenseId}: total ${formatDimo(total)}, trust ratio ${formatRatio(ratio)}`];
      if (approved) lines.push(`approve tx ${approved.hash}`);
      lines.push(`tx ${sent.hash}`);
      return { result: { action: 'stake', licenseId, amount, totalStake: total, trustRatio: formatRatio(ratio), approveTx: approved?.hash, tx: sent.hash }, lines };
    }),
  );

  chainOptions(
    license
      .command('unstake')
      .description('withdraw stake (holder): the excess above the requirement of a live license, or all of an ended one 182 days after it ended')
      .argument('<licenseId>')
      .argument('<amount>', 'DIMO')
      .option('--to <address>', 'where the DIMO goes (default: the signer)'),
  ).action(
    run(async (client, [id, amountText], flags) => {
      const licenseId = parseId(id!, 'license id');
      const amount = parseDimo(amountText!, 'amount');
      const to = flags.to ? parseAddress(String(flags.to), '--to') : client.signer().address;
      const sent = await client.send('Licenses', 'withdrawStake', [licenseId, amount, to]);
      const total = eventOf(sent.events, 'Licenses', 'StakeWithdrawn').totalStake as bigint;
      return {
        result: { action: 'unstake', licenseId, amount, to, totalStake: total, tx: sent.hash },
        lines: [`withdrew ${formatDimo(amount)} from license ${licenseId} to ${to}: ${formatDimo(total)} left`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(license.command('suspend').description('suspend a license (licensing team): data stops flowing to it at once').argument('<licenseId>').requiredOption('--reason <text>', 'recorded on chain')).action(
    statusCommand('suspend', 'suspended'),
  );
  chainOptions(license.command('unsuspend').description('lift a suspension (licensing team)').argument('<licenseId>').requiredOption('--reason <text>', 'recorded on chain')).action(
    statusCommand('unsuspend', 'lifted the suspension of'),
  );
  chainOptions(license.command('revoke').description('revoke a license for good (licensing team; governance may reinstate)').argument('<licenseId>').requiredOption('--reason <text>', 'recorded on chain')).action(
    statusCommand('revoke', 'revoked'),
  );

  chainOptions(
    license
      .command('ban')
      .description("ban a license's holder identity (every license of it and of its linked addresses), or --address an identity that holds none")
      .argument('[licenseId]')
      .option('--address <address>', 'ban this address (its identity) instead of a license holder')
      .requiredOption('--reason <text>', 'recorded on chain'),
  ).action(
    run(async (client, [id], flags) => {
      const reason = reasonOf(flags);
      if ((id === undefined) === (flags.address === undefined)) throw new OdmError('ODM_ERR_VALIDATION', 'name either a license id or --address', { status: 400 });
      const sent = id !== undefined
        ? await client.send('Licenses', 'ban', [parseId(id, 'license id'), reason])
        : await client.send('Licenses', 'banAddress', [parseAddress(String(flags.address), '--address'), reason]);
      const banned = sent.events.filter((e) => e.eventName === 'AddressBanned').map((e) => String(e.args.identity).toLowerCase());
      const what = id !== undefined ? `license ${id} and its holder's identity` : `identity of ${String(flags.address)}`;
      return {
        result: { action: 'ban', licenseId: id, address: flags.address, bannedIdentities: banned, reason, tx: sent.hash },
        lines: [`banned ${what}${banned.length ? ` (${banned.join(', ')})` : ' (already banned)'}: ${reason}`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(
    license
      .command('raise')
      .description("raise a license's required stake (licensing team; only upwards)")
      .argument('<licenseId>')
      .argument('<amount>', 'the new requirement in DIMO'),
  ).action(
    run(async (client, [id, amountText]) => {
      const licenseId = parseId(id!, 'license id');
      const sent = await client.send('Licenses', 'raiseRequirement', [licenseId, parseDimo(amountText!, 'amount')]);
      const ratio = await client.read<bigint>('Licenses', 'trustRatio', [licenseId]);
      const floor = eventOf(sent.events, 'Licenses', 'RequirementFloorSet').floor as bigint;
      return {
        result: { action: 'raise', licenseId, required: floor, trustRatio: formatRatio(ratio), tx: sent.hash },
        lines: [`license ${licenseId} now requires ${formatDimo(floor)} (trust ratio ${formatRatio(ratio)})`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(
    license
      .command('challenge')
      .description('challenge a license with the deposit the Challenges contract asks (approved first if needed); locks its stake until ruled')
      .argument('<licenseId>')
      .requiredOption('--reason-uri <uri>', 'where the evidence is'),
  ).action(
    run(async (client, [id], flags) => {
      const licenseId = parseId(id!, 'license id');
      const deposit = await client.read<bigint>('Challenges', 'challengeDeposit');
      const approved = await ensureAllowance(client, 'Challenges', deposit);
      const sent = await client.send('Challenges', 'open', [licenseId, String(flags.reasonUri)]);
      const challengeId = eventOf(sent.events, 'Challenges', 'ChallengeOpened').challengeId as bigint;
      const lines = [`opened challenge ${challengeId} against license ${licenseId} with a deposit of ${formatDimo(deposit)}`];
      if (approved) lines.push(`approve tx ${approved.hash}`);
      lines.push(`tx ${sent.hash}`);
      return { result: { action: 'challenge', challengeId, licenseId, deposit, approveTx: approved?.hash, tx: sent.hash }, lines };
    }),
  );

  chainOptions(
    license
      .command('rule')
      .description('decide a challenge (arbiter): --uphold with a slash, or --reject')
      .argument('<challengeId>')
      .option('--uphold', 'uphold: slash the stake, reward the challenger, burn the rest (minus owners\' payout)')
      .option('--reject', 'reject: the deposit goes to the treasury')
      .option('--slash <amount>', 'DIMO to slash (with --uphold)', '0')
      .option('--owners-total <amount>', 'DIMO of the slash reserved for affected owners (with --uphold)', '0')
      .option('--owners-root <hex>', "Merkle root of the owners' payouts (needed when --owners-total > 0)")
      .requiredOption('--ruling-uri <uri>', 'where the ruling is published'),
  ).action(
    run(async (client, [id], flags) => {
      const challengeId = parseId(id!, 'challenge id');
      if (Boolean(flags.uphold) === Boolean(flags.reject)) throw new OdmError('ODM_ERR_VALIDATION', 'choose one of --uphold or --reject', { status: 400 });
      const ruling = String(flags.rulingUri);
      if (flags.reject) {
        const sent = await client.send('Challenges', 'reject', [challengeId, ruling]);
        const ev = eventOf(sent.events, 'Challenges', 'ChallengeRejected');
        return {
          result: { action: 'reject', challengeId, licenseId: ev.licenseId, forfeited: ev.forfeited, tx: sent.hash },
          lines: [`rejected challenge ${challengeId}: its deposit of ${formatDimo(ev.forfeited as bigint)} goes to the treasury`, `tx ${sent.hash}`],
        };
      }
      const root = (flags.ownersRoot as Hex | undefined) ?? zeroHash;
      const args = [challengeId, parseDimo(String(flags.slash), '--slash'), parseDimo(String(flags.ownersTotal), '--owners-total'), root, ruling];
      const sent = await client.send('Challenges', 'uphold', args);
      const ev = eventOf(sent.events, 'Challenges', 'ChallengeUpheld');
      return {
        result: { action: 'uphold', challengeId, licenseId: ev.licenseId, slashed: ev.slashed, burned: ev.burned, challengerReward: ev.challengerReward, ownersTotal: ev.ownersTotal, tx: sent.hash },
        lines: [
          `upheld challenge ${challengeId} against license ${String(ev.licenseId)}: slashed ${formatDimo(ev.slashed as bigint)} (burned ${formatDimo(ev.burned as bigint)}, challenger reward ${formatDimo(ev.challengerReward as bigint)}, owners ${formatDimo(ev.ownersTotal as bigint)})`,
          `tx ${sent.hash}`,
        ],
      };
    }),
  );

  chainOptions(license.command('renounce').description('renounce a license (holder): data stops at once; the stake unlocks 182 days later').argument('<licenseId>')).action(
    run(async (client, [id]) => {
      const licenseId = parseId(id!, 'license id');
      const sent = await client.send('Licenses', 'renounce', [licenseId]);
      const endedAt = eventOf(sent.events, 'Licenses', 'LicenseStatusChanged').endedAt as bigint;
      const withdrawableAt = await client.read<bigint>('Licenses', 'withdrawableAt', [licenseId]);
      return {
        result: { action: 'renounce', licenseId, endedAt, withdrawableAt, tx: sent.hash },
        lines: [`renounced license ${licenseId}; its stake can be withdrawn from ${new Date(Number(withdrawableAt) * 1000).toISOString()}`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(
    license
      .command('show')
      .description('show a license (or every license of --holder) as the chain reports it: status, stake, requirement, trust ratio')
      .argument('[licenseId]')
      .option('--holder <address>', 'every license this address holds'),
  ).action(
    run(async (client, [id], flags) => {
      if ((id === undefined) === (flags.holder === undefined)) throw new OdmError('ODM_ERR_VALIDATION', 'name either a license id or --holder', { status: 400 });
      if (id !== undefined) {
        const view = await readLicense(client, parseId(id, 'license id'));
        return { result: view as unknown as Record<string, unknown>, lines: licenseLines(view) };
      }
      const holder = parseAddress(String(flags.holder), '--holder') as Address;
      const views = await Promise.all((await licensesHeldBy(client, holder)).map((licenseId) => readLicense(client, licenseId)));
      return {
        result: { holder, licenses: views },
        lines: views.length ? views.flatMap((v, i) => (i > 0 ? ['', ...licenseLines(v)] : licenseLines(v))) : [`${holder} holds no license`],
      };
    }),
  );
}
