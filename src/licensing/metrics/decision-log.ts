// Every licensing decision with its published reason, from the chain: issuance, status changes (suspend,
// unsuspend, revoke, renounce, ban, reinstate), identity bans and unbans, raised stake requirements and
// challenge rulings. The licensing mirror keeps only each license's latest status; this indexer (own
// cursor `licensing-decisions`, table licensing_decisions) keeps the history the monthly metrics publish.
import type { ChainIndexer } from '../../chain/indexer/chain-indexer.ts';
import { createMirrorIndexer, type MirrorIndexerOptions } from '../../chain/indexer/mirror-indexer.ts';
import type { DecodedEvent, MirrorWriter } from '../../chain/indexer/indexer-types.ts';
import type { Store } from '../../store/store.ts';
import { statusName } from '../license-types.ts';

export interface DecisionRecord {
  at: number;
  block: number;
  logIndex: number;
  txHash: string;
  decision: 'issued' | 'status' | 'ban' | 'unban' | 'requirement' | 'challenge-upheld' | 'challenge-rejected';
  licenseId: string | null;
  identity: string | null;
  challengeId: string | null;
  status: string | null;
  previousStatus: string | null;
  reason: string;
  by: string | null;
  amount: string | null;
}

const DECISIONS_VERSION = '1';

function base(e: DecodedEvent, decision: DecisionRecord['decision']) {
  return {
    block_number: Number(e.block.number), log_index: e.logIndex, tx_hash: e.transactionHash, at: Number(e.block.timestamp) * 1000, decision,
    license_id: null as string | null, identity: null as string | null, challenge_id: null as string | null, status: null as string | null,
    previous_status: null as string | null, reason: '', by_address: null as string | null, amount: null as string | null,
  };
}

const put = (w: MirrorWriter, row: ReturnType<typeof base>) => w.put('licensing_decisions', row);
const dec = (v: unknown) => (v as bigint).toString();
const addr = (v: unknown) => String(v).toLowerCase();

export function registerDecisionHandlers(indexer: ChainIndexer): void {
  indexer.registerTables([{ name: 'licensing_decisions', key: ['block_number', 'log_index'] }]);
  indexer.registerHandlers('Licenses', {
    LicenseIssued: (e, w) => put(w, { ...base(e, 'issued'), license_id: dec(e.args.licenseId), status: 'active', by_address: addr(e.args.holder) }),
    LicenseStatusChanged: (e, w) => put(w, {
      ...base(e, 'status'), license_id: dec(e.args.licenseId), status: statusName(Number(e.args.status)), previous_status: statusName(Number(e.args.previous)),
      reason: String(e.args.reason), by_address: addr(e.args.by),
    }),
    AddressBanned: (e, w) => put(w, { ...base(e, 'ban'), identity: addr(e.args.identity), reason: String(e.args.reason), by_address: addr(e.args.by) }),
    AddressUnbanned: (e, w) => put(w, { ...base(e, 'unban'), identity: addr(e.args.identity), reason: String(e.args.reason), by_address: addr(e.args.by) }),
    RequirementFloorSet: (e, w) => put(w, { ...base(e, 'requirement'), license_id: dec(e.args.licenseId), amount: dec(e.args.floor), by_address: addr(e.args.by) }),
  });
  indexer.registerHandlers('Challenges', {
    ChallengeUpheld: (e, w) => put(w, {
      ...base(e, 'challenge-upheld'), license_id: dec(e.args.licenseId), challenge_id: dec(e.args.challengeId), reason: String(e.args.rulingURI), amount: dec(e.args.slashed),
    }),
    ChallengeRejected: (e, w) => put(w, { ...base(e, 'challenge-rejected'), license_id: dec(e.args.licenseId), challenge_id: dec(e.args.challengeId), reason: String(e.args.rulingURI) }),
  });
}

export type DecisionIndexerOptions = MirrorIndexerOptions;

export function createDecisionIndexer(o: DecisionIndexerOptions): ChainIndexer {
  const indexer = createMirrorIndexer(o, { name: 'licensing-decisions', version: DECISIONS_VERSION });
  registerDecisionHandlers(indexer);
  return indexer;
}

/** Decisions made in [from, to) (epoch ms), in chain order. */
export async function decisionsBetween(store: Store, from: number, to: number): Promise<DecisionRecord[]> {
  const rows = await store.db.selectFrom('licensing_decisions').selectAll().where('at', '>=', from).where('at', '<', to)
    .orderBy('block_number').orderBy('log_index').execute();
  return rows.map((r) => ({
    at: Number(r.at), block: Number(r.block_number), logIndex: r.log_index, txHash: r.tx_hash, decision: r.decision as DecisionRecord['decision'],
    licenseId: r.license_id, identity: r.identity, challengeId: r.challenge_id, status: r.status, previousStatus: r.previous_status,
    reason: r.reason, by: r.by_address, amount: r.amount,
  }));
}
