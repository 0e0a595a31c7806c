// The one handle the rest of the node gets on its database, whichever engine sits behind it.
import type { Kysely } from 'kysely';
import type { HealthProbe } from '../core/health.ts';
import type { Database } from './schema.ts';
import type { StoreDialect } from './migrations/types.ts';

export type { StoreDialect };

export interface MigrateResult {
  /** Names of the migrations this call applied, in order; empty when the schema was current. */
  applied: string[];
}

export interface Store {
  dialect: StoreDialect;
  db: Kysely<Database>;
  /** Applies pending migrations atomically; safe to call concurrently from several processes. */
  migrate(): Promise<MigrateResult>;
  /** `select 1`; detail like `sqlite 3.50.4 (wal)` or `postgres 15.14`. Never throws. */
  probe: HealthProbe;
  /** Idempotent. After close the probe reports not ok. */
  close(): Promise<void>;
}
