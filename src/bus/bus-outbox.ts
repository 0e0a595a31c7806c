// The outbox half of the NATS bus: sealed messages NATS did not acknowledge, kept in the store until a
// drain republishes them. Claims are leases (claimed_by/claimed_until) taken in one statement — with
// FOR UPDATE SKIP LOCKED on PostgreSQL — so processes sharing the table never republish a row at the
// same time, and a row claimed by a process that died is taken again once its lease runs out.
import type { Store } from '../store/store.ts';

export interface OutboxRow {
  id: number;
  msgId: string;
  subject: string;
  payload: Buffer;
}

export interface BusOutbox {
  add(msgId: string, subject: string, payload: Buffer, now: number): Promise<void>;
  /** Claims up to `limit` unclaimed (or lease-expired) rows, oldest first. */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<OutboxRow[]>;
  /** Deletes rows this owner still holds (a row whose lease expired may be someone else's now). */
  remove(owner: string, ids: readonly number[]): Promise<void>;
  /** Gives claimed rows back so the next drain (by anyone) takes them at once. */
  release(owner: string, ids: readonly number[]): Promise<void>;
  depth(): Promise<number>;
}

export function createBusOutbox(store: Store): BusOutbox {
  const db = store.db;
  return {
    async add(msgId, subject, payload, now) {
      await db.insertInto('bus_outbox').values({ msg_id: msgId, subject, payload, created_at: now, claimed_by: null, claimed_until: null }).onConflict((c) => c.column('msg_id').doNothing()).execute();
    },
    async claim(owner, limit, now, leaseMs) {
      const rows = await db
        .updateTable('bus_outbox')
        .set({ claimed_by: owner, claimed_until: now + leaseMs })
        .where('id', 'in', (eb) => {
          const q = eb
            .selectFrom('bus_outbox')
            .select('id')
            .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', now)]))
            .orderBy('id')
            .limit(limit);
          return store.dialect === 'postgres' ? q.forUpdate().skipLocked() : q;
        })
        .returning(['id', 'msg_id', 'subject', 'payload'])
        .execute();
      return rows
        .map((r) => ({ id: Number(r.id), msgId: r.msg_id, subject: r.subject, payload: Buffer.from(r.payload) }))
        .sort((a, b) => a.id - b.id);
    },
    async remove(owner, ids) {
      if (ids.length === 0) return;
      await db.deleteFrom('bus_outbox').where('claimed_by', '=', owner).where('id', 'in', [...ids]).execute();
    },
    async release(owner, ids) {
      if (ids.length === 0) return;
      await db.updateTable('bus_outbox').set({ claimed_by: null, claimed_until: null }).where('claimed_by', '=', owner).where('id', 'in', [...ids]).execute();
    },
    async depth() {
      const row = await db.selectFrom('bus_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
