// The webhook tables (migrations 0750, 0760): webhooks, vehicle subscriptions, last fire per (webhook,
// vehicle), previous samples, and the delivery queue + log. Every write the engine and dispatcher depend
// on is one statement or one transaction, so a crash leaves either the fire and its delivery or neither.
// Several processes share these tables (cluster mode): cooldowns and failure counts change in single
// conditional statements, and a delivery is attempted only under a lease its claimant holds.
import type { Kysely, Selectable } from 'kysely';
import { dialectOf } from '../store/migrations/types.ts';
import type { Database, WebhookDeliveriesTable, WebhookPreviousTable, WebhooksTable } from '../store/schema.ts';

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type DeliveryStatus = DeliveryRow['status'];

export interface NewDelivery {
  id: string;
  webhookId: string;
  vehicleId: string;
  ownerVersion: number;
  eventId: string;
  bodyCt: Buffer;
  at: number;
  /** The webhook's cooldown: no fire is recorded within this of the last one, whoever recorded it. */
  cooldownMs: number;
}

export type PreviousRow = Selectable<WebhookPreviousTable>;

export class WebhookStore {
  readonly #db: Kysely<Database>;
  readonly #postgres: boolean;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#postgres = dialectOf(db) === 'postgres';
  }

  async insert(row: WebhookRow): Promise<void> {
    await this.#db.insertInto('webhooks').values(row).execute();
  }

  async all(): Promise<WebhookRow[]> {
    return this.#db.selectFrom('webhooks').selectAll().execute();
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    return this.#db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async countForLicense(licenseId: string): Promise<number> {
    const r = await this.#db.selectFrom('webhooks').select((eb) => eb.fn.countAll<number>().as('n')).where('license_id', '=', licenseId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async update(id: string, values: Partial<Omit<WebhookRow, 'id' | 'license_id' | 'created_at'>>): Promise<void> {
    await this.#db.updateTable('webhooks').set(values).where('id', '=', id).execute();
  }

  /** The webhook and everything hanging off it, delivery log included. */
  async delete(id: string): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      await tx.deleteFrom('webhook_fires').where('webhook_id', '=', id).execute();
      await tx.deleteFrom('webhook_subscriptions').where('webhook_id', '=', id).execute();
      await tx.deleteFrom('webhooks').where('id', '=', id).execute();
    });
  }

  /** One more failed attempt in a row; the new count. */
  async addFailure(id: string, at: number): Promise<number> {
    const r = await this.#db
      .updateTable('webhooks')
      .set((eb) => ({ failure_count: eb('failure_count', '+', 1), updated_at: at }))
      .where('id', '=', id)
      .returning('failure_count')
      .executeTakeFirst();
    return r?.failure_count ?? 0;
  }

  /** A success ends the run of failures; true when there was one to end. */
  async resetFailures(id: string, at: number): Promise<boolean> {
    const r = await this.#db.updateTable('webhooks').set({ failure_count: 0, updated_at: at }).where('id', '=', id).where('failure_count', '>', 0).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Disables an enabled webhook that reached `maxFailures`; true for the one process that did it. */
  async disableAfterFailures(id: string, maxFailures: number, reason: string, at: number): Promise<boolean> {
    const r = await this.#db
      .updateTable('webhooks')
      .set({ status: 'disabled', disabled_reason: reason, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'enabled')
      .where('failure_count', '>=', maxFailures)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  // --- subscriptions ---

  async subscriptions(): Promise<Array<{ webhook_id: string; vehicle_id: string; created_at: number }>> {
    return this.#db.selectFrom('webhook_subscriptions').selectAll().execute();
  }

  async subscriptionsOf(webhookId: string): Promise<Array<{ webhook_id: string; vehicle_id: string; created_at: number }>> {
    return this.#db.selectFrom('webhook_subscriptions').selectAll().where('webhook_id', '=', webhookId).execute();
  }

  async subscribe(webhookId: string, vehicleId: string, at: number): Promise<void> {
    await this.#db.insertInto('webhook_subscriptions').values({ webhook_id: webhookId, vehicle_id: vehicleId, created_at: at }).onConflict((oc) => oc.columns(['webhook_id', 'vehicle_id']).doNothing()).execute();
  }

  async unsubscribe(webhookId: string, vehicleIds?: readonly string[]): Promise<number> {
    let q = this.#db.deleteFrom('webhook_subscriptions').where('webhook_id', '=', webhookId);
    if (vehicleIds) {
      if (vehicleIds.length === 0) return 0;
      q = q.where('vehicle_id', 'in', vehicleIds);
    }
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // --- fires and deliveries ---

  async fires(): Promise<Array<{ webhook_id: string; vehicle_id: string; fired_at: number }>> {
    return this.#db.selectFrom('webhook_fires').selectAll().execute();
  }

  /**
   * Records a fire (the cooldown's start) and queues its delivery, together — unless a fire within the
   * cooldown is already recorded (by any process), or this delivery id is queued already (the batch was
   * evaluated before: the bus redelivered it): then nothing is written and the answer is false.
   */
  async enqueue(d: NewDelivery): Promise<boolean> {
    const duplicate = new Error('already queued');
    return this.#enqueue(d, duplicate).catch((err: unknown) => {
      if (err === duplicate) return false;
      throw err;
    });
  }

  async #enqueue(d: NewDelivery, duplicate: Error): Promise<boolean> {
    return this.#db.transaction().execute(async (tx) => {
      const fire = await tx
        .insertInto('webhook_fires')
        .values({ webhook_id: d.webhookId, vehicle_id: d.vehicleId, fired_at: d.at })
        .onConflict((oc) => {
          const set = oc.columns(['webhook_id', 'vehicle_id']).doUpdateSet({ fired_at: d.at });
          return d.cooldownMs > 0 ? set.where('webhook_fires.fired_at', '<=', d.at - d.cooldownMs) : set;
        })
        .executeTakeFirst();
      if (!fire.numInsertedOrUpdatedRows) return false;
      const queued = await tx
        .insertInto('webhook_deliveries')
        .values({
          id: d.id, webhook_id: d.webhookId, vehicle_id: d.vehicleId, owner_version: d.ownerVersion, event_id: d.eventId, status: 'pending', attempts: 0, next_attempt_at: d.at,
          last_attempt_at: null, last_status: null, last_error: null, body_ct: d.bodyCt, created_at: d.at, finished_at: null, claimed_by: null, claimed_until: null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (!queued.numInsertedOrUpdatedRows) throw duplicate; // rolls the fire back too
      return true;
    });
  }

  /**
   * Claims up to `limit` pending deliveries due by `now` whose webhook is enabled and that nobody holds
   * (or whose holder's lease lapsed), for `leaseMs`; oldest first. One statement, so two processes never
   * claim the same row: PostgreSQL skips rows another claim has locked, SQLite serializes writers.
   */
  async claim(owner: string, now: number, leaseMs: number, limit: number, skip: ReadonlySet<string>): Promise<DeliveryRow[]> {
    let pick = this.#db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select('d.id')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where('w.status', '=', 'enabled')
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', now)]))
      .orderBy('d.next_attempt_at')
      .limit(limit);
    if (skip.size > 0) pick = pick.where('d.id', 'not in', [...skip]);
    if (this.#postgres) pick = pick.forUpdate(['d']).skipLocked();
    const rows = await this.#db
      .updateTable('webhook_deliveries')
      .set({ claimed_by: owner, claimed_until: now + leaseMs })
      .where('id', 'in', pick)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .returningAll()
      .execute();
    return rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at));
  }

  /** Gives up this process's claims on deliveries still pending (a clean stop), so others need not wait out the lease. */
  async release(owner: string): Promise<void> {
    await this.#db.updateTable('webhook_deliveries').set({ claimed_by: null, claimed_until: null }).where('claimed_by', '=', owner).execute();
  }

  /** When the next pending delivery of an enabled webhook that nobody holds falls due; undefined when none. */
  async nextDueAt(now: number, skip: ReadonlySet<string>): Promise<number | undefined> {
    let q = this.#db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select((eb) => eb.fn.min<number>('d.next_attempt_at').as('at'))
      .where('d.status', '=', 'pending')
      .where('w.status', '=', 'enabled')
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', now)]));
    if (skip.size > 0) q = q.where('d.id', 'not in', [...skip]);
    const r = await q.executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /**
   * An attempt's outcome, recorded only while `owner` still holds the claim (a process whose lease lapsed
   * must not overwrite the retry's outcome); releases the claim. A final status erases the body.
   */
  async settle(id: string, owner: string, v: { status: DeliveryStatus; attempts: number; at: number; nextAttemptAt?: number; httpStatus: number | null; error: string | null }): Promise<boolean> {
    const final = v.status !== 'pending';
    const r = await this.#db
      .updateTable('webhook_deliveries')
      .set({
        status: v.status, attempts: v.attempts, last_attempt_at: v.at, last_status: v.httpStatus, last_error: v.error, claimed_by: null, claimed_until: null,
        ...(v.nextAttemptAt !== undefined ? { next_attempt_at: v.nextAttemptAt } : {}),
        ...(final ? { body_ct: null, finished_at: v.at } : {}),
      })
      .where('id', '=', id)
      .where('claimed_by', '=', owner)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Pushes a pending delivery back without counting an attempt, and releases `owner`'s claim on it. */
  async postpone(id: string, owner: string, until: number): Promise<void> {
    await this.#db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: until, claimed_by: null, claimed_until: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('claimed_by', '=', owner)
      .execute();
  }

  // --- previous samples ---

  async previous(vehicleId: string, signals: readonly string[]): Promise<PreviousRow[]> {
    if (signals.length === 0) return [];
    return this.#db.selectFrom('webhook_previous').selectAll().where('vehicle_id', '=', vehicleId).where('signal', 'in', signals).execute();
  }

  /** Stores a vehicle's latest sample of a signal, unless a newer one (or a later owner's) is stored already. */
  async savePrevious(row: PreviousRow): Promise<void> {
    await this.#db
      .insertInto('webhook_previous')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['vehicle_id', 'signal'])
          .doUpdateSet((eb) => ({ owner_version: eb.ref('excluded.owner_version'), sample_ts: eb.ref('excluded.sample_ts'), value_ct: eb.ref('excluded.value_ct'), updated_at: eb.ref('excluded.updated_at') }))
          .where((eb) =>
            eb.or([
              eb('webhook_previous.owner_version', '<', eb.ref('excluded.owner_version')),
              eb.and([eb('webhook_previous.owner_version', '=', eb.ref('excluded.owner_version')), eb('webhook_previous.sample_ts', '<=', eb.ref('excluded.sample_ts'))]),
            ]),
          ),
      )
      .execute();
  }

  async deliveries(webhookId: string, opts: { limit: number; before?: { at: number; id: string }; status?: DeliveryStatus }): Promise<DeliveryRow[]> {
    let q = this.#db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.before) {
      const b = opts.before;
      q = q.where((eb) => eb.or([eb('created_at', '<', b.at), eb.and([eb('created_at', '=', b.at), eb('id', '<', b.id)])]));
    }
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  }

  /** Drops finished deliveries older than `before` from the log, and previous samples not refreshed since. */
  async prune(before: number): Promise<number> {
    const r = await this.#db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    await this.#db.deleteFrom('webhook_previous').where('updated_at', '<', before).execute();
    return Number(r.numDeletedRows);
  }
}
