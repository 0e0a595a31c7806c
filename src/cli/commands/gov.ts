// `opendimo gov …`: token-holder governance through the Governor and its 4-day Timelock: delegate votes,
// propose actions, vote, queue a passed proposal, execute it once the Timelock's delay has passed, show.
import type { Command } from 'commander';
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import { describeCall, parseCall } from '../protocol/call-spec.ts';
import { chainOptions, formatDimo, formatTime, parseAddress, parseId } from '../protocol/cli-values.ts';
import { protocolAction as run } from '../protocol/protocol-action.ts';
import { CHAIN_OPTIONS_HELP, eventOf, type ChainEvent, type ProtocolClient } from '../protocol/protocol-client.ts';

/** IGovernor.ProposalState, by value. */
const STATES = ['pending', 'active', 'canceled', 'defeated', 'succeeded', 'queued', 'expired', 'executed'] as const;
const SUPPORT = { against: 0, for: 1, abstain: 2 } as const;

interface Proposal {
  proposalId: bigint;
  proposer: Address;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  description: string;
}

/** The proposal's actions, from its ProposalCreated event (the Governor keeps only their hash). */
async function findProposal(client: ProtocolClient, proposalId: bigint): Promise<Proposal> {
  const logs = await client.clients.publicClient.getContractEvents({
    address: client.address('DimoGovernor'),
    abi: client.abi('DimoGovernor'),
    eventName: 'ProposalCreated',
    fromBlock: BigInt(client.deployment.blockNumber),
  });
  for (const log of logs) {
    const a = (log as unknown as { args: Proposal }).args;
    if (a.proposalId === proposalId) return a;
  }
  throw new OdmError('ODM_ERR_GOV_PROPOSAL_UNKNOWN', `no proposal ${proposalId} on this governor`, { status: 404, details: { proposalId: proposalId.toString() } });
}

/** Events of the protocol contracts a proposal touched (not the governance plumbing), one per line. */
function effectLines(events: ChainEvent[]): string[] {
  return events
    .filter((e) => e.contract !== 'DimoGovernor' && e.contract !== 'DimoTimelock')
    .map((e) => `  ${e.contract}.${e.eventName}(${Object.entries(e.args).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`);
}

const plain = (events: ChainEvent[]) => events.map((e) => ({ contract: e.contract, event: e.eventName, args: e.args }));

export function registerGov(program: Command): void {
  const gov = program
    .command('gov')
    .description('governance: delegate, propose, vote, queue, execute (after the 4-day timelock), show')
    .addHelpText('after', `${CHAIN_OPTIONS_HELP}

Actions are written Contract.function(args), e.g. --action 'Licenses.setMinimumStake(2, 20000e18)'
(kinds: 0 client, 1 node, 2 app; integers accept 20000e18; addresses accept a deployed contract's name).`);

  chainOptions(gov.command('delegate').description('delegate the signer\'s DIMO votes (to itself by default); votes count from the next second').argument('[address]')).action(
    run(async (client, [to]) => {
      const delegatee = to ? parseAddress(to, 'address') : client.signer().address;
      const sent = await client.send('DimoToken', 'delegate', [delegatee]);
      const votes = await client.read<bigint>('DimoToken', 'getVotes', [delegatee]);
      return { result: { action: 'delegate', delegatee, votes, tx: sent.hash }, lines: [`delegated votes to ${delegatee} (now ${formatDimo(votes)} of votes)`, `tx ${sent.hash}`] };
    }),
  );

  chainOptions(
    gov
      .command('propose')
      .description('propose actions for token holders to vote on')
      .requiredOption('--action <call>', 'Contract.function(args); repeat for several', (v: string, prev: string[] = []) => [...prev, v])
      .requiredOption('--description <text>', 'what and why (it identifies the proposal together with its actions)'),
  ).action(
    run(async (client, _args, flags) => {
      const calls = (flags.action as string[]).map((spec) => parseCall(client, spec));
      const description = String(flags.description);
      const sent = await client.send('DimoGovernor', 'propose', [calls.map((c) => c.target), calls.map(() => 0n), calls.map((c) => c.calldata), description]);
      const ev = eventOf(sent.events, 'DimoGovernor', 'ProposalCreated');
      const proposalId = ev.proposalId as bigint;
      return {
        result: { action: 'propose', proposalId, voteStart: ev.voteStart, voteEnd: ev.voteEnd, tx: sent.hash },
        lines: [
          `proposal ${proposalId}`,
          ...calls.map((c) => `  ${describeCall(client, c.target, c.calldata)}`),
          `voting from ${formatTime(ev.voteStart as bigint)} to ${formatTime(ev.voteEnd as bigint)}`,
          `tx ${sent.hash}`,
        ],
      };
    }),
  );

  chainOptions(
    gov
      .command('vote')
      .description('cast the signer\'s votes on an active proposal')
      .argument('<proposalId>')
      .argument('<support>', 'for, against or abstain')
      .option('--reason <text>', 'recorded with the vote'),
  ).action(
    run(async (client, [id, supportText], flags) => {
      const proposalId = parseUint256(id!);
      const support = SUPPORT[String(supportText) as keyof typeof SUPPORT];
      if (support === undefined) throw new OdmError('ODM_ERR_VALIDATION', 'support must be for, against or abstain', { status: 400 });
      const sent = flags.reason
        ? await client.send('DimoGovernor', 'castVoteWithReason', [proposalId, support, String(flags.reason)])
        : await client.send('DimoGovernor', 'castVote', [proposalId, support]);
      const weight = eventOf(sent.events, 'DimoGovernor', 'VoteCast').weight as bigint;
      return {
        result: { action: 'vote', proposalId, support: supportText, weight, tx: sent.hash },
        lines: [`voted ${supportText} on proposal ${proposalId} with ${formatDimo(weight)} of votes`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(gov.command('queue').description('queue a succeeded proposal in the timelock').argument('<proposalId>')).action(
    run(async (client, [id]) => {
      const p = await findProposal(client, parseUint256(id!));
      const sent = await client.send('DimoGovernor', 'queue', [p.targets, p.values, p.calldatas, keccak256(toHex(p.description))]);
      const eta = eventOf(sent.events, 'DimoGovernor', 'ProposalQueued').etaSeconds as bigint;
      return {
        result: { action: 'queue', proposalId: p.proposalId, eta, tx: sent.hash },
        lines: [`queued proposal ${p.proposalId}; executable from ${formatTime(eta)}`, `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(gov.command('execute').description('execute a queued proposal once the timelock delay has passed').argument('<proposalId>')).action(
    run(async (client, [id]) => {
      const p = await findProposal(client, parseUint256(id!));
      const sent = await client.send('DimoGovernor', 'execute', [p.targets, p.values, p.calldatas, keccak256(toHex(p.description))]);
      return {
        result: { action: 'execute', proposalId: p.proposalId, effects: plain(sent.events.filter((e) => e.contract !== 'DimoGovernor' && e.contract !== 'DimoTimelock')), tx: sent.hash },
        lines: [`executed proposal ${p.proposalId}`, ...effectLines(sent.events), `tx ${sent.hash}`],
      };
    }),
  );

  chainOptions(gov.command('show').description('show a proposal: state, actions, votes, quorum, deadlines').argument('<proposalId>')).action(
    run(async (client, [id]) => {
      const p = await findProposal(client, parseUint256(id!));
      const [stateValue, votes, snapshot, deadline, eta, now] = await Promise.all([
        client.read<number>('DimoGovernor', 'state', [p.proposalId]),
        client.read<readonly [bigint, bigint, bigint]>('DimoGovernor', 'proposalVotes', [p.proposalId]),
        client.read<bigint>('DimoGovernor', 'proposalSnapshot', [p.proposalId]),
        client.read<bigint>('DimoGovernor', 'proposalDeadline', [p.proposalId]),
        client.read<bigint>('DimoGovernor', 'proposalEta', [p.proposalId]),
        client.read<bigint>('DimoGovernor', 'clock'),
      ]);
      // quorum() only answers for a past timepoint.
      const quorum = snapshot < now ? await client.read<bigint>('DimoGovernor', 'quorum', [snapshot]) : undefined;
      const state = STATES[stateValue] ?? String(stateValue);
      const [against, forVotes, abstain] = votes;
      const actions = p.targets.map((t, i) => describeCall(client, t, p.calldatas[i]!));
      return {
        result: { proposalId: p.proposalId, state, proposer: p.proposer, description: p.description, actions, votes: { for: forVotes, against, abstain }, quorum, voteStart: snapshot, voteEnd: deadline, eta },
        lines: [
          `proposal ${p.proposalId} · ${state}`,
          `  proposer     ${p.proposer}`,
          `  description  ${p.description}`,
          ...actions.map((a) => `  action       ${a}`),
          `  votes        for ${formatDimo(forVotes)} · against ${formatDimo(against)} · abstain ${formatDimo(abstain)}`,
          `  quorum       ${quorum === undefined ? 'set when voting starts' : formatDimo(quorum)}`,
          `  voting       ${formatTime(snapshot)} → ${formatTime(deadline)}`,
          ...(eta > 0n ? [`  executable   from ${formatTime(eta)}`] : []),
        ],
      };
    }),
  );
}

/** Proposal ids are keccak hashes: any uint256, 0 included in principle. */
function parseUint256(text: string): bigint {
  return /^\d+$/.test(text) ? BigInt(text) : parseId(text, 'proposal id');
}
