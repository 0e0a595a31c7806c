// The licensing mirror in memory: loaded from the mirror tables at start, then kept current from the row
// changes the indexer commits (rollbacks included). The access gate reads only from here: no RPC and no
// database on the data path. Bans are applied per identity at query time, exactly like Licenses.isBanned:
// a ban event names one identity, and every license held by it or by an address linked to it is inactive.
import type { Kysely } from 'kysely';
import type { Row, RowChange } from '../chain/indexer/indexer-types.ts';
import type { Database } from '../store/schema.ts';
import {
  kindName,
  statusName,
  type ChallengeRecord,
  type ChallengeStatus,
  type LicenseKind,
  type LicenseRecord,
  type PaymentRecord,
  type SubscriptionRecord,
  type SubscriptionStatus,
} from './license-types.ts';
import { LICENSING_TABLES, STAKE_PER_USER_PARAM } from './licensing-tables.ts';
import { requiredStake, trustRatio, type StakeParams } from './stake-math.ts';

export interface BanRecord {
  identity: string;
  by: string;
  reason: string;
  bannedAt: number;
}

const str = (v: unknown): string => String(v);
const big = (v: unknown): bigint => BigInt(String(v));
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function dropFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set && set.size === 0) map.delete(key);
}

export class LicensingIndex {
  readonly licenses = new Map<bigint, LicenseRecord>();
  readonly challenges = new Map<bigint, ChallengeRecord>();
  readonly subscriptions = new Map<bigint, SubscriptionRecord>();
  readonly payments = new Map<bigint, PaymentRecord>();
  /** Identity → ban; mirrors Licenses' `_banned` flags one to one. */
  readonly bans = new Map<string, BanRecord>();
  /** Relayer address → the node license it relays for. */
  readonly relayers = new Map<string, bigint>();
  readonly minimumStake: Record<LicenseKind, bigint> = { client: 0n, node: 0n, app: 0n };
  stakePerUser = 0n;
  readonly #controller = new Map<string, string>();
  readonly #linked = new Map<string, Set<string>>();
  readonly #byHolder = new Map<string, Set<bigint>>();
  readonly #challengesByLicense = new Map<bigint, Set<bigint>>();
  readonly #subscriptionsByApp = new Map<bigint, Set<bigint>>();
  readonly #subscriptionsByVehicle = new Map<bigint, Set<bigint>>();
  readonly #paymentsBySubscription = new Map<bigint, Set<bigint>>();

  // --- queries (the contract's views, answered from memory) ---

  license(licenseId: bigint): LicenseRecord | undefined {
    return this.licenses.get(licenseId);
  }

  get params(): StakeParams {
    return { minimumStake: this.minimumStake, stakePerUser: this.stakePerUser };
  }

  /** Licenses.controllerOf: the identity an address belongs to (itself unless linked). */
  controllerOf(address: string): string {
    const a = address.toLowerCase();
    return this.#controller.get(a) ?? a;
  }

  /** Licenses.isBanned: the address itself or its identity is banned. */
  isBanned(address: string): boolean {
    const a = address.toLowerCase();
    return this.bans.has(a) || this.bans.has(this.controllerOf(a));
  }

  /** The ban that makes `address` banned, if any (its own, else its identity's). */
  banOf(address: string): BanRecord | undefined {
    const a = address.toLowerCase();
    return this.bans.get(a) ?? this.bans.get(this.controllerOf(a));
  }

  /** Addresses linked to `identity` (not including it). */
  linkedAccounts(identity: string): string[] {
    return [...(this.#linked.get(identity.toLowerCase()) ?? [])].sort();
  }

  /** Every license held by the address's identity: by the identity itself or any address linked to it; ascending ids. */
  licensesOf(address: string): LicenseRecord[] {
    const identity = this.controllerOf(address);
    const ids = new Set<bigint>();
    for (const holder of [identity, ...(this.#linked.get(identity) ?? [])]) for (const id of this.#byHolder.get(holder) ?? []) ids.add(id);
    return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id) => this.licenses.get(id)!);
  }

  relayerLicense(address: string): bigint | undefined {
    return this.relayers.get(address.toLowerCase());
  }

  /** Licenses.requiredStake; undefined for a license the mirror does not know. */
  requiredStake(licenseId: bigint): bigint | undefined {
    const l = this.licenses.get(licenseId);
    return l ? requiredStake(l, this.params) : undefined;
  }

  /** Licenses.trustRatio (18 decimals, rounded down); undefined for an unknown license. */
  trustRatio(licenseId: bigint): bigint | undefined {
    const l = this.licenses.get(licenseId);
    return l ? trustRatio(l, this.params) : undefined;
  }

  /** Licenses.isActive. */
  isActive(licenseId: bigint): boolean {
    const l = this.licenses.get(licenseId);
    if (!l) return false;
    return l.status === 'active' && !this.isBanned(l.holder) && l.stake >= requiredStake(l, this.params);
  }

  challengesOf(licenseId: bigint): ChallengeRecord[] {
    return [...(this.#challengesByLicense.get(licenseId) ?? [])].sort(cmp).map((id) => this.challenges.get(id)!);
  }

  /** Subscriptions of an app license, of a vehicle, or both; ascending ids. */
  subscriptionsFor(filter: { appLicenseId?: bigint; vehicleId?: bigint }): SubscriptionRecord[] {
    let ids: Iterable<bigint>;
    if (filter.appLicenseId !== undefined) ids = this.#subscriptionsByApp.get(filter.appLicenseId) ?? [];
    else if (filter.vehicleId !== undefined) ids = this.#subscriptionsByVehicle.get(filter.vehicleId) ?? [];
    else ids = this.subscriptions.keys();
    return [...ids]
      .sort(cmp)
      .map((id) => this.subscriptions.get(id)!)
      .filter((s) => filter.vehicleId === undefined || s.vehicleId === filter.vehicleId);
  }

  /** DimoPay.isCurrent: active and paid up at `nowSec`. */
  isSubscriptionCurrent(subscriptionId: bigint, nowSec: number): boolean {
    const s = this.subscriptions.get(subscriptionId);
    return s !== undefined && s.status === 'active' && nowSec < s.endSec;
  }

  paymentsOf(subscriptionId: bigint): PaymentRecord[] {
    return [...(this.#paymentsBySubscription.get(subscriptionId) ?? [])].sort(cmp).map((id) => this.payments.get(id)!);
  }

  // --- loading and applying changes ---

  clear(): void {
    for (const m of [this.licenses, this.challenges, this.subscriptions, this.payments, this.bans, this.relayers, this.#controller, this.#linked, this.#byHolder]) m.clear();
    for (const m of [this.#challengesByLicense, this.#subscriptionsByApp, this.#subscriptionsByVehicle, this.#paymentsBySubscription]) m.clear();
    this.minimumStake.client = this.minimumStake.node = this.minimumStake.app = 0n;
    this.stakePerUser = 0n;
  }

  /** Replaces the contents with what the mirror tables hold. */
  async load(db: Kysely<Database>): Promise<void> {
    const tables = await Promise.all(LICENSING_TABLES.map(async (t) => [t.name, (await (db as unknown as Kysely<any>).selectFrom(t.name).selectAll().execute()) as Row[]] as const));
    this.clear();
    for (const [table, rows] of tables) for (const row of rows) this.apply({ table, key: {}, before: undefined, after: row });
  }

  applyAll(changes: readonly RowChange[]): void {
    for (const change of changes) this.apply(change);
  }

  apply(change: RowChange): void {
    const { before, after } = change;
    switch (change.table) {
      case 'licensing_licenses':
        if (before) {
          const id = big(before.license_id);
          this.licenses.delete(id);
          dropFrom(this.#byHolder, str(before.holder), id);
        }
        if (after) {
          const l = toLicense(after);
          this.licenses.set(l.licenseId, l);
          addTo(this.#byHolder, l.holder, l.licenseId);
        }
        break;
      case 'licensing_params':
        if (before) this.#setParam(str(before.name), 0n);
        if (after) this.#setParam(str(after.name), big(after.value));
        break;
      case 'licensing_bans':
        if (before) this.bans.delete(str(before.identity));
        if (after) this.bans.set(str(after.identity), { identity: str(after.identity), by: str(after.banned_by), reason: str(after.reason), bannedAt: Number(after.banned_at) });
        break;
      case 'licensing_links':
        if (before) {
          this.#controller.delete(str(before.account));
          dropFrom(this.#linked, str(before.controller), str(before.account));
        }
        if (after) {
          this.#controller.set(str(after.account), str(after.controller));
          addTo(this.#linked, str(after.controller), str(after.account));
        }
        break;
      case 'licensing_relayers':
        if (before) this.relayers.delete(str(before.relayer));
        if (after) this.relayers.set(str(after.relayer), big(after.license_id));
        break;
      case 'licensing_challenges':
        if (before) {
          const id = big(before.challenge_id);
          this.challenges.delete(id);
          dropFrom(this.#challengesByLicense, big(before.license_id), id);
        }
        if (after) {
          const c = toChallenge(after);
          this.challenges.set(c.challengeId, c);
          addTo(this.#challengesByLicense, c.licenseId, c.challengeId);
        }
        break;
      case 'licensing_subscriptions':
        if (before) {
          const id = big(before.subscription_id);
          this.subscriptions.delete(id);
          dropFrom(this.#subscriptionsByApp, big(before.app_license_id), id);
          dropFrom(this.#subscriptionsByVehicle, big(before.vehicle_id), id);
        }
        if (after) {
          const s = toSubscription(after);
          this.subscriptions.set(s.subscriptionId, s);
          addTo(this.#subscriptionsByApp, s.appLicenseId, s.subscriptionId);
          addTo(this.#subscriptionsByVehicle, s.vehicleId, s.subscriptionId);
        }
        break;
      case 'licensing_payments':
        if (before) {
          const id = big(before.payment_id);
          this.payments.delete(id);
          dropFrom(this.#paymentsBySubscription, big(before.subscription_id), id);
        }
        if (after) {
          const p = toPayment(after);
          this.payments.set(p.paymentId, p);
          addTo(this.#paymentsBySubscription, p.subscriptionId, p.paymentId);
        }
        break;
      default:
        break;
    }
  }

  #setParam(name: string, value: bigint): void {
    if (name === STAKE_PER_USER_PARAM) this.stakePerUser = value;
    else if (name.startsWith('minimum_stake:')) this.minimumStake[kindName(Number(name.slice('minimum_stake:'.length)))] = value;
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toLicense(r: Row): LicenseRecord {
  return {
    licenseId: big(r.license_id),
    holder: str(r.holder),
    kind: kindName(Number(r.kind)),
    status: statusName(Number(r.status)),
    metadata: { legalName: str(r.legal_name), dba: str(r.dba), website: str(r.website), supportEmail: str(r.support_email) },
    stake: big(r.stake),
    requirementFloor: big(r.requirement_floor),
    connectedUsers: big(r.connected_users),
    openChallenges: Number(r.open_challenges),
    statusReason: str(r.status_reason),
    statusBy: opt(r.status_by),
    endedAtSec: Number(r.ended_at_sec),
    issuedAt: Number(r.issued_at),
  };
}

function toChallenge(r: Row): ChallengeRecord {
  return {
    challengeId: big(r.challenge_id),
    licenseId: big(r.license_id),
    challenger: str(r.challenger),
    deposit: big(r.deposit),
    reasonUri: str(r.reason_uri),
    status: str(r.status) as ChallengeStatus,
    slashed: big(r.slashed),
    burned: big(r.burned),
    challengerReward: big(r.challenger_reward),
    ownersTotal: big(r.owners_total),
    ownersRoot: opt(r.owners_root),
    ownersClaimed: big(r.owners_claimed),
    rulingUri: opt(r.ruling_uri),
    openedAt: Number(r.opened_at),
    decidedAt: r.decided_at === null || r.decided_at === undefined ? undefined : Number(r.decided_at),
  };
}

function toSubscription(r: Row): SubscriptionRecord {
  return {
    subscriptionId: big(r.subscription_id),
    appLicenseId: big(r.app_license_id),
    vehicleId: big(r.vehicle_id),
    nodeLicenseId: big(r.node_license_id),
    pricePerPeriod: big(r.price_per_period),
    periodSec: Number(r.period_sec),
    startSec: Number(r.start_sec),
    endSec: Number(r.end_sec),
    status: str(r.status) as SubscriptionStatus,
    creator: str(r.creator),
    cancelledBy: opt(r.cancelled_by),
    createdAt: Number(r.created_at),
  };
}

function toPayment(r: Row): PaymentRecord {
  return {
    paymentId: big(r.payment_id),
    subscriptionId: big(r.subscription_id),
    payer: str(r.payer),
    token: str(r.token),
    amount: big(r.amount),
    dimoValue: big(r.dimo_value),
    periods: Number(r.periods),
    paidUntilSec: Number(r.paid_until_sec),
    split:
      r.owner === null || r.owner === undefined
        ? undefined
        : { owner: str(r.owner), node: str(r.node), treasury: str(r.treasury), ownerShare: big(r.owner_share), nodeShare: big(r.node_share), treasuryShare: big(r.treasury_share) },
    paidAt: Number(r.paid_at),
    txHash: str(r.tx_hash),
  };
}
