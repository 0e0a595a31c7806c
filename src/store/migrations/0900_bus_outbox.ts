// The bus outbox (src/bus/nats-bus.ts): messages a process could not hand to NATS (down, or no ack in
// time), kept until a drain loop republishes them oldest-first with the same message id (the stream's
// duplicate window drops a copy that did arrive). Payloads are AES-256-GCM ciphertext under the bus
// key. A row is claimed with a lease (claimed_by/claimed_until) so processes sharing a PostgreSQL
// outbox never republish it concurrently; a lease left by a dead process simply expires.
import type { Kysely } from 'kysely';
import { addAutoIdColumn, bigintType, bytesType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await addAutoIdColumn(db.schema.createTable('bus_outbox'), 'id', dialect)
    .addColumn('msg_id', 'text', (c) => c.notNull().unique())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', bytesType(dialect), (c) => c.notNull())
    .addColumn('created_at', bigintType(dialect), (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', bigintType(dialect))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bus_outbox').execute();
}
