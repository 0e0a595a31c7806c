// Picks the node's leader lease: on PostgreSQL, a process with the indexer role competes for the
// advisory-lock lease (several such processes may share the database); otherwise the answer never
// changes (SQLite belongs to one process, and a process without the indexer role never leads).
import type { Logger } from '../core/logger.ts';
import { resolveDatabaseUrl } from '../store/database-url.ts';
import type { Store } from '../store/store.ts';
import { staticLease, type LeaderLease } from './leader-lease.ts';
import { createPgLeaderLease } from './pg-leader-lease.ts';
import type { Role } from './roles.ts';

/** Every indexer of one database competes for this lease (advisory locks are per database). */
export const LEADER_LEASE_KEY = 'opendimo:leader';

/** Resolves once the first attempt to take the lease is over, so a lone indexer leads from the start. */
export async function openLeaderLease(opts: { roles: ReadonlySet<Role>; store: Store; databaseUrl: string | undefined; dataDir: string; logger: Logger }): Promise<LeaderLease> {
  const target = opts.store.dialect === 'postgres' ? resolveDatabaseUrl(opts.databaseUrl, opts.dataDir) : undefined;
  if (!opts.roles.has('indexer') || target?.kind !== 'postgres') return staticLease(opts.roles.has('indexer'));
  const lease = createPgLeaderLease({ databaseUrl: target.url, key: LEADER_LEASE_KEY, logger: opts.logger });
  await lease.start();
  return lease;
}
