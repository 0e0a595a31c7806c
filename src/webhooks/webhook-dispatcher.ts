// Sends queued deliveries, at least once: a delivery leaves the queue only when the target answered 2xx,
// answered with a status retrying cannot fix, ran out of attempts, or the app lost the right to the data
// (checked again right before each attempt, so a revocation stops deliveries at once). Failures retry
// with exponential backoff and jitter; the queue is in the database, so a restart resumes it. A webhook
// whose target fails `maxFailures` times in a row is disabled with a reason; its pending deliveries wait
// (they resume if the developer enables it again). Every attempt that sent a body is recorded in the
// vehicle owner's activity log.
//
// Several processes may dispatch from one queue (cluster mode). Each attempt runs under a claim with a
// lease: only the claimant attempts it and records the outcome, and if it dies mid-attempt the lease
// lapses and another process retries (the same delivery id, so the target can tell). Failure counts and
// disabling are single conditional statements, so concurrent dispatchers never lose a count.
import type { ActivityLog } from '../activity/activity-log.ts';
import type { Clock } from '../core/clock.ts';
import { isOdmError, toOdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { AccessGrant, AppAccess } from '../live/app-access.ts';
import type { LoadedWebhook, WebhookRegistry } from './webhook-registry.ts';
import type { WebhookSealer } from './webhook-sealer.ts';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, SIGNATURE_VERSION, SIGNATURE_VERSION_HEADER, signBody, TIMESTAMP_HEADER } from './webhook-signing.ts';
import type { DeliveryRow, WebhookStore } from './webhook-store.ts';
import { checkTargetAddress, type TargetPolicy } from './webhook-targets.ts';

export interface DispatchSettings {
  maxFailures: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  concurrency: number;
  policy: TargetPolicy;
  /** How long a claim on a delivery lasts; longer than any attempt can take (timeout included). */
  leaseMs: number;
}

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  registry: WebhookRegistry;
  sealer: WebhookSealer;
  access: AppAccess;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  activity?: () => ActivityLog | undefined;
  settings: DispatchSettings;
  /** Names this process in claims; unique per running dispatcher. */
  owner: string;
  /** Called when a webhook's row changed here (failure count, disabled). */
  onWebhookChanged?: (hook: LoadedWebhook) => void;
}

/** Delay before attempt `attempts + 1`: base·2^(attempts−1), capped, ±20 % jitter. */
export function backoffMs(attempts: number, base: number, max: number, random = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** 4xx other than 408, 425, 429 will not get better by retrying. */
function retryable(status: number): boolean {
  return status < 400 || status >= 500 || status === 408 || status === 425 || status === 429;
}

export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;
  readonly #s: DispatchSettings;
  readonly #log: Logger;
  readonly #inflight = new Map<string, Promise<void>>();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #poked = false;
  /** Aborts attempts in flight when the node stops (they stay pending and run again after a restart). */
  readonly #abort = new AbortController();
  readonly #attempts;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
    this.#s = options.settings;
    this.#log = options.logger.child({ component: 'webhooks' });
    this.#attempts = options.metrics?.counter('opendimo_webhook_attempts_total', 'Webhook delivery attempts, by outcome', ['outcome']);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** New work may be due. */
  poke(): void {
    this.#poked = true;
    this.#wake?.();
  }

  /**
   * Stops picking deliveries, aborts the attempts in flight and waits for them to wind down, then gives
   * up its claims so another process need not wait out the lease. `releaseClaims: false` leaves them as
   * a process that died would (tests of lease expiry).
   */
  async stop(options: { releaseClaims?: boolean } = {}): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#inflight.values()]);
    if (options.releaseClaims !== false) {
      await this.#o.store.release(this.#o.owner).catch((err: unknown) => this.#log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not release webhook delivery claims'));
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let wait = 1000;
      try {
        this.#poked = false;
        const free = this.#s.concurrency - this.#inflight.size;
        if (free > 0) {
          const due = await this.#o.store.claim(this.#o.owner, this.#o.clock.now(), this.#s.leaseMs, free, new Set(this.#inflight.keys()));
          for (const row of due) this.#launch(row);
          if (due.length === free) wait = 0;
        }
        if (wait > 0) {
          const next = await this.#o.store.nextDueAt(this.#o.clock.now(), new Set(this.#inflight.keys()));
          if (next !== undefined) wait = Math.max(0, Math.min(wait, next - this.#o.clock.now()));
        }
      } catch (err) {
        this.#log.error({ reason: err instanceof Error ? err.message : String(err) }, 'webhook dispatcher failed to read its queue');
      }
      if (this.#stopping) break;
      if (this.#poked) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#inflight.size >= this.#s.concurrency ? 1000 : wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #launch(row: DeliveryRow): void {
    const attempt = this.#attempt(row)
      .catch((err: unknown) => this.#log.error({ deliveryId: row.id, reason: err instanceof Error ? err.message : String(err) }, 'webhook delivery attempt failed unexpectedly'))
      .finally(() => {
        this.#inflight.delete(row.id);
        this.poke();
      });
    this.#inflight.set(row.id, attempt);
  }

  async #attempt(row: DeliveryRow): Promise<void> {
    const store = this.#o.store;
    const owner = this.#o.owner;
    const now = this.#o.clock.now();
    const hook = this.#o.registry.get(row.webhook_id);
    // Unknown or disabled here but claimable (so enabled in the database): this process has not reloaded yet.
    if (!hook || hook.row.status !== 'enabled') return store.postpone(row.id, owner, now + 1000);
    const vehicleId = BigInt(row.vehicle_id);
    const attempts = row.attempts + 1;

    // The app must still be allowed to read this, and the data must belong to the current owner.
    let grant: AccessGrant;
    try {
      const vehicle = this.#o.access.vehicle(vehicleId);
      if (!vehicle || vehicle.version !== row.owner_version) {
        throw toOdmError(new Error('the vehicle changed hands since the webhook fired'), 'ODM_ERR_VEHICLE_TRANSFERRED');
      }
      grant = this.#o.access.authorize({ licenseId: hook.row.license_id, grantee: hook.row.grantee, vehicleId, privileges: hook.privileges });
    } catch (err) {
      const code = isOdmError(err) ? err.code : 'ODM_ERR_INTERNAL';
      if (code === 'ODM_ERR_UNAVAILABLE') return store.postpone(row.id, owner, now + 1000); // a mirror is restarting: send nothing now
      await store.settle(row.id, owner, { status: 'dropped', attempts: row.attempts, at: now, httpStatus: null, error: `${code}: the app may no longer read this vehicle's data` });
      this.#attempts?.inc({ outcome: 'dropped' });
      return;
    }

    const body = this.#o.sealer.openBody(row.id, row.body_ct!);
    const secret = this.#o.registry.secret(hook.row.id, () => this.#o.sealer.openSecret(hook.row.id, hook.row.secret_ct));
    const ts = Math.floor(now / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      await checkTargetAddress(hook.row.target_url, this.#s.policy);
      const res = await fetch(hook.row.target_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'opendimo-webhooks/1',
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: signBody(secret, ts, body),
          [SIGNATURE_VERSION_HEADER]: SIGNATURE_VERSION,
          [DELIVERY_ID_HEADER]: row.id,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#s.policy.timeoutMs), this.#abort.signal]),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `the target answered HTTP ${status}`;
    } catch (err) {
      const e = err as Error;
      error = isOdmError(err) ? `${err.code}: ${err.message}` : e.name === 'TimeoutError' ? `no answer within ${this.#s.policy.timeoutMs} ms` : 'could not connect to the target';
    }
    if (this.#stopping && status === null) return; // cut short by shutdown: not the target's failure
    const at = this.#o.clock.now();
    if (status !== null) this.#record(grant, hook, row, attempts, status, error === null);

    if (error === null) {
      const settled = await store.settle(row.id, owner, { status: 'delivered', attempts, at, httpStatus: status, error: null });
      if (!settled) this.#lostClaim(row);
      this.#attempts?.inc({ outcome: 'delivered' });
      if (await store.resetFailures(hook.row.id, at)) {
        hook.row = { ...hook.row, failure_count: 0, updated_at: at };
        this.#o.onWebhookChanged?.(hook);
      }
      return;
    }
    this.#attempts?.inc({ outcome: 'failed' });
    const failures = await store.addFailure(hook.row.id, at);
    hook.row = { ...hook.row, failure_count: failures, updated_at: at };
    const giveUp = attempts >= this.#s.maxAttempts || (status !== null && !retryable(status));
    const settled = giveUp
      ? await store.settle(row.id, owner, { status: 'failed', attempts, at, httpStatus: status, error })
      : await store.settle(row.id, owner, { status: 'pending', attempts, at, nextAttemptAt: at + backoffMs(attempts, this.#s.backoffBaseMs, this.#s.backoffMaxMs), httpStatus: status, error });
    if (!settled) this.#lostClaim(row);
    if (failures >= this.#s.maxFailures) {
      const reason = `disabled after ${failures} consecutive failed deliveries (last: ${error})`;
      if (await store.disableAfterFailures(hook.row.id, this.#s.maxFailures, reason, at)) {
        hook.row = { ...hook.row, status: 'disabled', disabled_reason: reason };
        this.#log.warn({ webhookId: hook.row.id, failures }, 'webhook disabled after consecutive failures');
      }
    }
    this.#o.onWebhookChanged?.(hook);
  }

  /** The lease ran out during the attempt and another process took the delivery over; its outcome stands. */
  #lostClaim(row: DeliveryRow): void {
    this.#log.warn({ deliveryId: row.id, leaseMs: this.#s.leaseMs }, 'a webhook delivery attempt outlasted its claim; the outcome was left to the process that took it over');
  }

  #record(grant: AccessGrant, hook: LoadedWebhook, row: DeliveryRow, attempt: number, httpStatus: number, delivered: boolean): void {
    let log: ActivityLog | undefined;
    try {
      log = this.#o.activity?.();
    } catch {
      log = undefined;
    }
    log
      ?.append({
        owner: grant.owner,
        kind: 'webhook',
        vehicleId: BigInt(row.vehicle_id),
        app: { licenseId: grant.licenseId, address: grant.grantee, name: grant.appName },
        privileges: hook.privileges,
        detail: { webhookId: hook.row.id, deliveryId: row.id, metric: hook.row.metric_name, attempt, outcome: delivered ? 'delivered' : 'failed', httpStatus },
      })
      .catch((err: unknown) => this.#log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'could not record a webhook delivery in the activity log'));
  }
}
