// The leader lease on PostgreSQL: a session advisory lock held on a dedicated connection (not the
// store's pool, whose connections come and go). PostgreSQL drops the lock the moment the holder's
// session ends, so when the leader dies another candidate takes over on its next try (~retryMs).
// While held, the connection is checked every checkMs; an error or a dropped connection makes this
// process a follower at once (listeners are told before anything else), then it reconnects and retries.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../core/logger.ts';
import { maskDatabaseUrl, scrubPassword } from '../store/database-url.ts';
import type { LeaderLease } from './leader-lease.ts';

export interface PgLeaderLeaseOptions {
  /** postgres:// URL (a secret: only its masked form is logged). */
  databaseUrl: string;
  /** Names the lease; hashed to the advisory lock's bigint key. Every candidate must use the same name. */
  key: string;
  logger: Logger;
  /** Wait between attempts to take the lease or to reconnect. Default 1000 ms. */
  retryMs?: number;
  /** Wait between checks of the connection while leading. Default 1000 ms. */
  checkMs?: number;
  /** Give up connecting (and any one lease query) after this long. Default 3000 ms. */
  timeoutMs?: number;
}

export interface PgLeaderLease extends LeaderLease {
  /** Starts trying; resolves after the first attempt (so a lone candidate leads before it returns). */
  start(): Promise<void>;
}

/** The advisory-lock key of a lease name: the first 8 bytes of its SHA-256, as a signed bigint. */
export function advisoryKey(name: string): bigint {
  return createHash('sha256').update(name).digest().readBigInt64BE(0);
}

export function createPgLeaderLease(opts: PgLeaderLeaseOptions): PgLeaderLease {
  const retryMs = opts.retryMs ?? 1_000;
  const checkMs = opts.checkMs ?? 1_000;
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const key = advisoryKey(opts.key).toString();
  const masked = maskDatabaseUrl(opts.databaseUrl);
  const log = opts.logger.child({ component: 'leader-lease', lease: opts.key });
  const listeners = new Set<(leader: boolean) => void>();
  let leader = false;
  let client: pg.Client | undefined;
  let lastError: string | undefined;
  let stopped = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  /** After losing the lease, stand back a little so a healthy candidate takes it rather than us again. */
  let standBackUntil = 0;

  const setLeader = (value: boolean): void => {
    if (leader === value) return;
    leader = value;
    log.info({ leader: value }, value ? 'took the leader lease' : 'lost the leader lease');
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch (err) {
        log.error({ reason: reason(err) }, 'a leader lease listener failed');
      }
    }
  };

  const reason = (err: unknown): string => scrubPassword(err instanceof Error ? err.message : String(err), opts.databaseUrl);

  /** Drops the connection (the server then releases the lock, if this session held it). */
  const drop = (why: unknown): void => {
    const c = client;
    client = undefined;
    if (why !== undefined) lastError = reason(why);
    if (leader) standBackUntil = Date.now() + 2 * retryMs;
    setLeader(false);
    if (c) c.end().catch(() => undefined);
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      connectionString: opts.databaseUrl,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: 'opendimo-leader-lease',
      keepAlive: true,
      // The server notices a vanished holder (host down, cable cut) within ~10 s and frees the lock.
      options: '-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3',
    });
    c.on('error', (err) => {
      if (client === c) {
        log.warn({ database: masked, reason: reason(err) }, 'leader lease connection failed');
        drop(err);
      }
    });
    c.on('end', () => {
      if (client === c) drop(new Error('connection closed'));
    });
    try {
      await c.connect();
    } catch (err) {
      c.end().catch(() => undefined);
      throw err;
    }
    return c;
  };

  /** One attempt: connect if needed, then take the lease or check that the connection still holds it. */
  const attempt = async (): Promise<void> => {
    try {
      if (!client) {
        client = await connect();
        lastError = undefined;
      }
      const c = client;
      if (!leader) {
        if (Date.now() < standBackUntil) return;
        const res = await c.query<{ locked: boolean }>('select pg_try_advisory_lock($1::bigint) as locked', [key]);
        if (client === c && res.rows[0]?.locked === true && !stopped) setLeader(true);
      } else {
        await c.query('select 1');
      }
    } catch (err) {
      if (client) log.warn({ database: masked, reason: reason(err) }, 'leader lease check failed; reconnecting');
      else if (lastError !== reason(err)) log.warn({ database: masked, reason: reason(err) }, 'cannot reach PostgreSQL for the leader lease; retrying');
      drop(err);
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const run = async (): Promise<void> => {
    while (!stopped) {
      await sleep(leader ? checkMs : retryMs);
      if (!stopped) await attempt();
    }
  };

  return {
    get isLeader() {
      return leader;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    probe: async () => {
      if (stopped) return { ok: false, detail: 'leader lease stopped' };
      if (!client) return { ok: false, detail: `no connection for the leader lease${lastError ? `: ${lastError}` : ''}` };
      return { ok: true, detail: leader ? 'leader' : 'follower (another process leads)' };
    },
    async start() {
      if (loop || stopped) return;
      await attempt();
      if (!stopped) loop = run();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.();
      await loop;
      const c = client;
      client = undefined;
      if (c) {
        if (leader) await c.query('select pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
        await c.end().catch(() => undefined);
      }
      setLeader(false);
    },
  };
}
