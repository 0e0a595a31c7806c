// Table types: the bus outbox (src/bus/nats-bus.ts, migration 0900_bus_outbox).
import type { Generated } from 'kysely';

export interface BusOutboxTable {
  id: Generated<number>;
  /** The Nats-Msg-Id header: a republish inside the stream's duplicate window is dropped. */
  msg_id: string;
  /** The full NATS subject (prefix included); also the payload's associated data. */
  subject: string;
  /** The serialized payload sealed under the bus key (AES-256-GCM). */
  payload: Buffer;
  created_at: number;
  /** The process draining this row, while its lease lasts. */
  claimed_by: string | null;
  claimed_until: number | null;
}
