// How each Licenses, Challenges and DimoPay event changes the licensing mirror. The events carry the new
// totals (stake, open challenges, paid-until), so handlers store what the chain says instead of doing
// arithmetic that a missed event could skew. Addresses are stored lowercase, ids and wei as decimal text,
// block times as epoch ms, contract times as unix seconds.
import type { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import type { DecodedEvent } from '../chain/indexer/indexer-types.ts';
import { LICENSING_TABLES, STAKE_PER_USER_PARAM, minimumStakeParam } from './licensing-tables.ts';

const addr = (v: unknown): string => String(v).toLowerCase();
const dec = (v: unknown): string => (v as bigint).toString();
const ms = (e: DecodedEvent): number => Number(e.block.timestamp) * 1000;
const license = (a: Record<string, unknown>) => ({ license_id: dec(a.licenseId) });

export function registerLicensingHandlers(indexer: ChainIndexer): void {
  indexer.registerTables(LICENSING_TABLES);

  indexer.registerHandlers('Licenses', {
    LicenseIssued: async (e, w) => {
      const a = e.args;
      await w.put('licensing_licenses', {
        license_id: dec(a.licenseId),
        holder: addr(a.holder),
        kind: Number(a.kind),
        status: 1,
        legal_name: String(a.legalName),
        dba: String(a.dba),
        website: String(a.website),
        support_email: String(a.supportEmail),
        stake: '0',
        requirement_floor: '0',
        connected_users: '0',
        open_challenges: 0,
        status_reason: '',
        status_by: null,
        ended_at_sec: 0,
        issued_at: ms(e),
        issued_block: Number(e.block.number),
      });
    },
    LicenseMetadataUpdated: async (e, w) => {
      const a = e.args;
      await w.patch('licensing_licenses', license(a), { legal_name: String(a.legalName), dba: String(a.dba), website: String(a.website), support_email: String(a.supportEmail) });
    },
    LicenseTransferred: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { holder: addr(e.args.to) })),
    LicenseStatusChanged: async (e, w) => {
      const a = e.args;
      await w.patch('licensing_licenses', license(a), { status: Number(a.status), ended_at_sec: Number(a.endedAt), status_reason: String(a.reason), status_by: addr(a.by) });
    },
    Staked: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { stake: dec(e.args.totalStake) })),
    StakeWithdrawn: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { stake: dec(e.args.totalStake) })),
    StakeSlashed: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { stake: dec(e.args.totalStake) })),
    RequirementFloorSet: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { requirement_floor: dec(e.args.floor) })),
    ConnectedUsersSet: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { connected_users: dec(e.args.connectedUsers) })),
    ChallengeLockChanged: async (e, w) => void (await w.patch('licensing_licenses', license(e.args), { open_challenges: Number(e.args.openChallenges) })),
    MinimumStakeSet: async (e, w) => w.put('licensing_params', { name: minimumStakeParam(Number(e.args.kind)), value: dec(e.args.amount) }),
    StakePerUserSet: async (e, w) => w.put('licensing_params', { name: STAKE_PER_USER_PARAM, value: dec(e.args.amount) }),
    // Each event names the exact address whose ban flag flipped (the contract emits only on a change).
    AddressBanned: async (e, w) => w.put('licensing_bans', { identity: addr(e.args.identity), banned_by: addr(e.args.by), reason: String(e.args.reason), banned_at: ms(e) }),
    AddressUnbanned: async (e, w) => void (await w.remove('licensing_bans', { identity: addr(e.args.identity) })),
    AddressLinked: async (e, w) => w.put('licensing_links', { account: addr(e.args.account), controller: addr(e.args.controller), linked_by: addr(e.args.by), linked_at: ms(e) }),
    AddressUnlinked: async (e, w) => void (await w.remove('licensing_links', { account: addr(e.args.account) })),
    RelayerSet: async (e, w) => {
      if (e.args.authorized) await w.put('licensing_relayers', { relayer: addr(e.args.relayer), license_id: dec(e.args.licenseId) });
      else await w.remove('licensing_relayers', { relayer: addr(e.args.relayer) });
    },
  });

  const challenge = (a: Record<string, unknown>) => ({ challenge_id: dec(a.challengeId) });
  indexer.registerHandlers('Challenges', {
    ChallengeOpened: async (e, w) => {
      const a = e.args;
      await w.put('licensing_challenges', {
        challenge_id: dec(a.challengeId),
        license_id: dec(a.licenseId),
        challenger: addr(a.challenger),
        deposit: dec(a.deposit),
        reason_uri: String(a.reasonURI),
        status: 'open',
        slashed: '0',
        burned: '0',
        challenger_reward: '0',
        owners_total: '0',
        owners_root: null,
        owners_claimed: '0',
        ruling_uri: null,
        opened_at: ms(e),
        decided_at: null,
      });
    },
    ChallengeUpheld: async (e, w) => {
      const a = e.args;
      await w.patch('licensing_challenges', challenge(a), {
        status: 'upheld',
        slashed: dec(a.slashed),
        burned: dec(a.burned),
        challenger_reward: dec(a.challengerReward),
        owners_total: dec(a.ownersTotal),
        owners_root: String(a.ownersRoot),
        ruling_uri: String(a.rulingURI),
        decided_at: ms(e),
      });
    },
    ChallengeRejected: async (e, w) => void (await w.patch('licensing_challenges', challenge(e.args), { status: 'rejected', ruling_uri: String(e.args.rulingURI), decided_at: ms(e) })),
    OwnerPayoutClaimed: async (e, w) => {
      const row = await w.get('licensing_challenges', challenge(e.args));
      if (!row) return;
      await w.patch('licensing_challenges', challenge(e.args), { owners_claimed: (BigInt(String(row.owners_claimed)) + (e.args.amount as bigint)).toString() });
    },
  });

  const subscription = (a: Record<string, unknown>) => ({ subscription_id: dec(a.subscriptionId) });
  indexer.registerHandlers('DimoPay', {
    SubscriptionCreated: async (e, w) => {
      const a = e.args;
      await w.put('licensing_subscriptions', {
        subscription_id: dec(a.subscriptionId),
        app_license_id: dec(a.appLicenseId),
        vehicle_id: dec(a.vehicleId),
        node_license_id: dec(a.nodeLicenseId),
        price_per_period: dec(a.pricePerPeriod),
        period_sec: Number(a.periodSeconds),
        start_sec: Number(a.start),
        end_sec: Number(a.start),
        status: 'active',
        creator: addr(a.creator),
        cancelled_by: null,
        created_at: ms(e),
      });
    },
    SubscriptionCancelled: async (e, w) => void (await w.patch('licensing_subscriptions', subscription(e.args), { status: 'cancelled', end_sec: Number(e.args.end), cancelled_by: addr(e.args.by) })),
    PaymentMade: async (e, w) => {
      const a = e.args;
      await w.put('licensing_payments', {
        payment_id: dec(a.paymentId),
        subscription_id: dec(a.subscriptionId),
        payer: addr(a.payer),
        token: addr(a.token),
        amount: dec(a.amount),
        dimo_value: dec(a.dimoValue),
        periods: Number(a.periods),
        paid_until_sec: Number(a.paidUntil),
        owner: null,
        node: null,
        treasury: null,
        owner_share: null,
        node_share: null,
        treasury_share: null,
        paid_at: ms(e),
        tx_hash: e.transactionHash,
      });
      await w.patch('licensing_subscriptions', subscription(a), { end_sec: Number(a.paidUntil) });
    },
    PaymentSplit: async (e, w) => {
      const a = e.args;
      await w.patch('licensing_payments', { payment_id: dec(a.paymentId) }, {
        owner: addr(a.owner),
        node: addr(a.node),
        treasury: addr(a.treasury),
        owner_share: dec(a.ownerShare),
        node_share: dec(a.nodeShare),
        treasury_share: dec(a.treasuryShare),
      });
    },
  });
}
