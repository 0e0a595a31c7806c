// The webhook tables (migration 0750): webhooks, vehicle subscriptions, last fire per (webhook, vehicle),
// and the delivery queue + log. Every write the engine and dispatcher depend on is one statement or one
// transaction, so a crash leaves either the fire and its delivery or neither.
import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookDeliveriesTable, WebhooksTable } from '../store/schema.ts';

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
}

export class WebhookStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
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
    await this.#db.updateTable('webhooks').set((eb) => ({ failure_count: eb('failure_count', '+', 1), updated_at: at })).where('id', '=', id).execute();
    const r = await this.#db.selectFrom('webhooks').select('failure_count').where('id', '=', id).executeTakeFirst();
    return r?.failure_count ?? 0;
  }

  // --- subscriptions ---

  async subscriptions(): Promise<Array<{ webhook_id: string; vehicle_id: string; created_at: number }>> {
    return this.#db.selectFrom('webhook_subscriptions').selectAll().execute();
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

  /** Records a fire (the cooldown's start) and queues its delivery, together. */
  async enqueue(d: NewDelivery): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .insertInto('webhook_fires')
        .values({ webhook_id: d.webhookId, vehicle_id: d.vehicleId, fired_at: d.at })
        .onConflict((oc) => oc.columns(['webhook_id', 'vehicle_id']).doUpdateSet({ fired_at: d.at }))
        .execute();
      await tx
        .insertInto('webhook_deliveries')
        .values({
          id: d.id, webhook_id: d.webhookId, vehicle_id: d.vehicleId, owner_version: d.ownerVersion, event_id: d.eventId, status: 'pending', attempts: 0, next_attempt_at: d.at,
          last_attempt_at: null, last_status: null, last_error: null, body_ct: d.bodyCt, created_at: d.at, finished_at: null,
        })
        .execute();
    });
  }

  /** Pending deliveries due by `now` whose webhook is enabled, oldest first. */
  async due(now: number, limit: number, skip: ReadonlySet<string>): Promise<DeliveryRow[]> {
    let q = this.#db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .selectAll('d')
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', now)
      .where('w.status', '=', 'enabled')
      .orderBy('d.next_attempt_at')
      .limit(limit);
    if (skip.size > 0) q = q.where('d.id', 'not in', [...skip]);
    return q.execute();
  }

  /** When the next pending delivery of an enabled webhook falls due; undefined when none is pending. */
  async nextDueAt(skip: ReadonlySet<string>): Promise<number | undefined> {
    let q = this.#db
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select((eb) => eb.fn.min<number>('d.next_attempt_at').as('at'))
      .where('d.status', '=', 'pending')
      .where('w.status', '=', 'enabled');
    if (skip.size > 0) q = q.where('d.id', 'not in', [...skip]);
    const r = await q.executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /** An attempt's outcome. A final status erases the body. */
  async settle(id: string, v: { status: DeliveryStatus; attempts: number; at: number; nextAttemptAt?: number; httpStatus: number | null; error: string | null }): Promise<void> {
    const final = v.status !== 'pending';
    await this.#db
      .updateTable('webhook_deliveries')
      .set({
        status: v.status, attempts: v.attempts, last_attempt_at: v.at, last_status: v.httpStatus, last_error: v.error,
        ...(v.nextAttemptAt !== undefined ? { next_attempt_at: v.nextAttemptAt } : {}),
        ...(final ? { body_ct: null, finished_at: v.at } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Pushes a pending delivery back without counting an attempt. */
  async postpone(id: string, until: number): Promise<void> {
    await this.#db.updateTable('webhook_deliveries').set({ next_attempt_at: until }).where('id', '=', id).where('status', '=', 'pending').execute();
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

  /** Drops finished deliveries older than `before` from the log. */
  async prune(before: number): Promise<number> {
    const r = await this.#db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
