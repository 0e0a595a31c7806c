// Typed access to node_meta, the node's small key/value facts (node id, first-start time).
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The stored value, or undefined when the key was never set. */
export async function getMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('node_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Inserts or overwrites the value (one statement, atomic on both dialects). */
export async function setMeta(db: Kysely<Database>, key: string, value: string, nowMs: number): Promise<void> {
  await db
    .insertInto('node_meta')
    .values({ key, value, updated_at: nowMs })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: nowMs }))
    .execute();
}

/**
 * Sets the value only if the key is absent and returns what is stored, so processes racing to set
 * a once-only fact (the node id) all end up with the same one.
 */
export async function ensureMeta(db: Kysely<Database>, key: string, value: string, nowMs: number): Promise<string> {
  await db
    .insertInto('node_meta')
    .values({ key, value, updated_at: nowMs })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const stored = await getMeta(db, key);
  // Only a concurrent delete can get here; the value we tried to write is then the best answer.
  return stored ?? value;
}
