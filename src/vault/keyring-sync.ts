// Orders keyring changes against the use of keyring keys by other processes sharing one PostgreSQL
// database and one keyring file (cluster mode). A rotation (new bucket key, new log epoch) is
// published in a transaction holding an exclusive advisory lock, which records the keyring file's
// generation in node_meta; a transaction that wraps new data keys (or writes log rows) first takes the
// same lock shared and, if the recorded generation is newer than its own copy, reloads the file. So
// once a rotation's transaction commits, nobody wraps under the replaced key any more, and the
// rotation's re-wrap sees every key wrapped under it before. SQLite serves one process: no-ops there.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { getMeta, setMeta } from '../store/meta.ts';
import { dialectOf } from '../store/migrations/types.ts';
import type { Keyring } from './keyring.ts';

/** Key of the PostgreSQL advisory lock ('odkr'); distinct from the migration and leader locks. */
export const KEYRING_LOCK_KEY = 0x6f646b72;
export const KEYRING_GENERATION_META = 'vault_keyring_generation';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Call inside the transaction that will store anything wrapped or sealed under keyring keys, before
 * choosing the key: waits for a rotation in flight and brings the keyring up to date.
 */
export async function joinKeyring(db: Db, keyring: Keyring): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock_shared(${KEYRING_LOCK_KEY})`.execute(db);
  const recorded = Number((await getMeta(db, KEYRING_GENERATION_META)) ?? 0);
  if (recorded > keyring.generation) keyring.reload();
}

/**
 * Call inside a rotation's transaction, after the keyring file holds the new key and before anything
 * is re-wrapped: waits for transactions using the old keys to commit and tells later ones to reload.
 */
export async function publishKeyring(trx: Db, keyring: Keyring, now: number): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await sql`select pg_advisory_xact_lock(${KEYRING_LOCK_KEY})`.execute(trx);
  // Another process may have rotated too: what follows re-wraps under the newest key in the file.
  keyring.reloadIfChanged();
  const recorded = Number((await getMeta(trx, KEYRING_GENERATION_META)) ?? 0);
  if (keyring.generation > recorded) await setMeta(trx, KEYRING_GENERATION_META, String(keyring.generation), now);
}
