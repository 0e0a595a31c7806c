// Rewards tables: the frozen inputs of each computed week, its entries (points, amount, streak after the
// week, reasons) and its summary (budget, total, root, where it was posted). A recomputation replaces a
// week's rows in one transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { RewardEntry, RewardReason, WeekResult } from './compute-week.ts';
import { RULES_VERSION } from './reward-rules.ts';
import type { StreakState } from './streak.ts';
import type { VehicleWeekInput, WeekInputs } from './week-inputs.ts';

export interface StoredWeek {
  week: number;
  weekStart: number;
  weekEnd: number;
  rulesVersion: string;
  inputsHash: string;
  budget: bigint;
  total: bigint;
  totalPoints: bigint;
  vehicles: number;
  paidVehicles: number;
  root: string | null;
  computedAt: number;
  postedTx: string | null;
  postedAt: number | null;
}

export interface StoredEntry {
  week: number;
  vehicleId: string;
  beneficiary: string;
  points: number;
  amount: bigint;
  streak: StreakState;
  reasons: RewardReason[];
}

// Rows per insert: well under SQLite's 32,766 bound variables and PostgreSQL's 65,535.
const BATCH = 500;

async function insertBatched<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

export class RewardsStore {
  readonly #db: Kysely<Database>;

  constructor(store: Store) {
    this.#db = store.db;
  }

  async save(inputs: WeekInputs, inputsHash: string, result: WeekResult, computedAt: number): Promise<void> {
    const week = inputs.week;
    await this.#db.transaction().execute(async (trx) => {
      const prior = await trx.selectFrom('rewards_weeks').select(['posted_tx', 'posted_at', 'root']).where('week', '=', week).executeTakeFirst();
      await trx.deleteFrom('rewards_entries').where('week', '=', week).execute();
      await trx.deleteFrom('rewards_inputs').where('week', '=', week).execute();
      await trx.deleteFrom('rewards_weeks').where('week', '=', week).execute();
      // A posting stays recorded only while it is still the root we hold.
      const keepPost = prior && prior.root === result.root;
      await trx.insertInto('rewards_weeks').values({
        week, week_start: inputs.weekStart, week_end: inputs.weekEnd, rules_version: RULES_VERSION, inputs_hash: inputsHash,
        budget: result.budget.toString(), total: result.total.toString(), total_points: result.totalPoints.toString(),
        vehicles: result.entries.length, paid_vehicles: result.entries.filter((e) => e.amount > 0n).length, root: result.root,
        computed_at: computedAt, posted_tx: keepPost ? prior.posted_tx : null, posted_at: keepPost ? prior.posted_at : null,
      }).execute();
      await insertBatched(inputs.vehicles, (batch) =>
        trx.insertInto('rewards_inputs').values(batch.map((v) => ({ week, vehicle_id: v.vehicleId, doc: JSON.stringify(v) }))).execute());
      await insertBatched(result.entries, (batch) =>
        trx.insertInto('rewards_entries').values(batch.map((e) => entryRow(week, e))).execute());
    });
  }

  async markPosted(week: number, tx: string, at: number): Promise<void> {
    await this.#db.updateTable('rewards_weeks').set({ posted_tx: tx, posted_at: at }).where('week', '=', week).execute();
  }

  async week(week: number): Promise<StoredWeek | undefined> {
    const r = await this.#db.selectFrom('rewards_weeks').selectAll().where('week', '=', week).executeTakeFirst();
    return r && toWeek(r);
  }

  async weeks(): Promise<StoredWeek[]> {
    return (await this.#db.selectFrom('rewards_weeks').selectAll().orderBy('week', 'desc').execute()).map(toWeek);
  }

  async inputs(week: number): Promise<WeekInputs | undefined> {
    const w = await this.#db.selectFrom('rewards_weeks').select(['week_start', 'week_end']).where('week', '=', week).executeTakeFirst();
    if (!w) return undefined;
    const rows = await this.#db.selectFrom('rewards_inputs').select('doc').where('week', '=', week).execute();
    return { week, weekStart: Number(w.week_start), weekEnd: Number(w.week_end), vehicles: rows.map((r) => JSON.parse(r.doc) as VehicleWeekInput) };
  }

  async entries(week: number): Promise<StoredEntry[]> {
    const rows = await this.#db.selectFrom('rewards_entries').selectAll().where('week', '=', week).execute();
    return rows.map(toEntry).sort((a, b) => cmpId(a.vehicleId, b.vehicleId));
  }

  /** Entries paid to (or computed for) a beneficiary, newest week first. */
  async entriesOf(beneficiary: string, limit = 520): Promise<StoredEntry[]> {
    const rows = await this.#db.selectFrom('rewards_entries').selectAll().where('beneficiary', '=', beneficiary.toLowerCase()).orderBy('week', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }

  /** Every vehicle's streak after `week`, if that week was computed. */
  async streaksAfter(week: number): Promise<Map<string, StreakState> | undefined> {
    if (!(await this.week(week))) return undefined;
    const rows = await this.#db.selectFrom('rewards_entries').select(['vehicle_id', 'streak_level', 'streak_weeks', 'streak_missed']).where('week', '=', week).execute();
    return new Map(rows.map((r) => [r.vehicle_id, { level: r.streak_level, weeks: r.streak_weeks, missed: r.streak_missed }]));
  }
}

function entryRow(week: number, e: RewardEntry) {
  return {
    week, vehicle_id: e.vehicleId, beneficiary: e.beneficiary, points: e.points, amount: e.amount.toString(),
    streak_level: e.streak.level, streak_weeks: e.streak.weeks, streak_missed: e.streak.missed, reasons: JSON.stringify(e.reasons),
  };
}

function toWeek(r: Database['rewards_weeks']): StoredWeek {
  return {
    week: r.week, weekStart: Number(r.week_start), weekEnd: Number(r.week_end), rulesVersion: r.rules_version, inputsHash: r.inputs_hash,
    budget: BigInt(r.budget), total: BigInt(r.total), totalPoints: BigInt(r.total_points), vehicles: r.vehicles, paidVehicles: r.paid_vehicles,
    root: r.root, computedAt: Number(r.computed_at), postedTx: r.posted_tx, postedAt: r.posted_at === null ? null : Number(r.posted_at),
  };
}

function toEntry(r: Database['rewards_entries']): StoredEntry {
  return {
    week: r.week, vehicleId: r.vehicle_id, beneficiary: r.beneficiary, points: r.points, amount: BigInt(r.amount),
    streak: { level: r.streak_level, weeks: r.streak_weeks, missed: r.streak_missed }, reasons: JSON.parse(r.reasons) as RewardReason[],
  };
}

function cmpId(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
