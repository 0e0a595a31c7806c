// Webhooks for one node: the developer-facing operations behind /v1/webhooks (each scoped to the license
// of the developer token), and the engine and dispatcher that turn stored telemetry into signed,
// retried deliveries. Writes go to the database first, then to the in-memory registry, then to the other
// processes of a cluster: a `webhooks.changed` bus message makes each reload that webhook from the
// database (and a periodic full reload catches a message that was lost).
import { randomUUID } from 'node:crypto';
import type { ActivityLog } from '../activity/activity-log.ts';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { NodeConfig } from '../config/schema.ts';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { AppAccess } from '../live/app-access.ts';
import type { DeveloperClaims } from '../live/app-auth.ts';
import { WebhookDispatcher } from './webhook-dispatcher.ts';
import { WebhookEngine } from './webhook-engine.ts';
import { valueType } from './webhook-payload.ts';
import { WebhookRegistry, type LoadedWebhook } from './webhook-registry.ts';
import { WebhookSync } from './webhook-sync.ts';
import { createSchema, normalizeMetric, parseBody, updateSchema } from './webhook-requests.ts';
import type { WebhookSealer } from './webhook-sealer.ts';
import { newSigningSecret } from './webhook-signing.ts';
import type { DeliveryRow, DeliveryStatus, WebhookRow, WebhookStore } from './webhook-store.ts';
import { checkTargetUrl, verifyTarget, type TargetPolicy } from './webhook-targets.ts';
import { compileCondition } from './webhook-conditions.ts';

export interface WebhookSettings {
  maxFailures: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  allowHttp: boolean;
  allowPrivateTargets: boolean;
  concurrency: number;
  maxPerLicense: number;
  logRetentionDays: number;
  /** A delivery claim's lease. Default: 3 × timeoutMs, at least 60 s. */
  leaseMs?: number;
  /** Full reload of webhooks and subscriptions from the database. Default 60 s. */
  reloadMs?: number;
}

export function webhookSettings(config: NodeConfig): WebhookSettings {
  const w = config.webhooks ?? {};
  const dev = config.mode === 'dev';
  return {
    maxFailures: w.maxFailures ?? 10,
    maxAttempts: w.maxAttempts ?? 15,
    backoffBaseMs: w.backoffBaseMs ?? 1000,
    backoffMaxMs: w.backoffMaxMs ?? 600_000,
    timeoutMs: w.timeoutMs ?? 10_000,
    allowHttp: w.allowHttp ?? dev,
    allowPrivateTargets: w.allowPrivateTargets ?? dev,
    concurrency: w.concurrency ?? 16,
    maxPerLicense: w.maxPerLicense ?? 100,
    logRetentionDays: w.logRetentionDays ?? 7,
  };
}

export interface WebhookServiceOptions {
  store: WebhookStore;
  sealer: WebhookSealer;
  access: AppAccess;
  bus: Bus;
  catalog: SignalCatalog;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  activity?: () => ActivityLog | undefined;
  settings: WebhookSettings;
  assetDid: (vehicleId: bigint) => string;
  /** Turns a path segment (token id or asset DID) into a vehicle id; throws 400 otherwise. */
  parseAsset: (asset: string) => bigint;
  producer: () => string;
  /** Names this process in delivery claims; a fresh id by default. */
  instanceId?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export class WebhookService {
  readonly #o: WebhookServiceOptions;
  readonly registry: WebhookRegistry;
  readonly engine: WebhookEngine;
  readonly dispatcher: WebhookDispatcher;
  readonly #policy: TargetPolicy;
  #prune: NodeJS.Timeout | undefined;
  readonly #sync: WebhookSync;

  constructor(options: WebhookServiceOptions) {
    this.#o = options;
    const s = options.settings;
    this.#policy = { allowHttp: s.allowHttp, allowPrivate: s.allowPrivateTargets, timeoutMs: s.timeoutMs };
    this.registry = new WebhookRegistry(options.catalog);
    this.#sync = new WebhookSync({ bus: options.bus, store: options.store, registry: this.registry, logger: options.logger, ...(s.reloadMs !== undefined ? { reloadMs: s.reloadMs } : {}) });
    this.dispatcher = new WebhookDispatcher({
      store: options.store, registry: this.registry, sealer: options.sealer, access: options.access, clock: options.clock, logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}), ...(options.activity ? { activity: options.activity } : {}),
      settings: {
        maxFailures: s.maxFailures, maxAttempts: s.maxAttempts, backoffBaseMs: s.backoffBaseMs, backoffMaxMs: s.backoffMaxMs, concurrency: s.concurrency, policy: this.#policy,
        leaseMs: s.leaseMs ?? Math.max(60_000, 3 * s.timeoutMs),
      },
      owner: options.instanceId ?? randomUUID(),
      onWebhookChanged: (hook) => this.#changed(hook.row.id),
    });
    this.engine = new WebhookEngine({
      bus: options.bus, registry: this.registry, store: options.store, sealer: options.sealer, access: options.access, catalog: options.catalog, clock: options.clock,
      logger: options.logger, ...(options.metrics ? { metrics: options.metrics } : {}), assetDid: options.assetDid, producer: options.producer, onQueued: () => this.dispatcher.poke(),
    });
  }

  async start(): Promise<void> {
    const store = this.#o.store;
    const [rows, subs, fires] = await Promise.all([store.all(), store.subscriptions(), store.fires()]);
    this.registry.load(rows, subs, fires);
    this.#sync.start();
    this.engine.start();
    this.dispatcher.start();
    const prune = () => {
      store.prune(this.#o.clock.now() - this.#o.settings.logRetentionDays * 86_400_000).catch(() => undefined);
    };
    prune();
    this.#prune = setInterval(prune, 3_600_000);
    this.#prune.unref();
  }

  /** `releaseClaims: false` stops as a process that died would, leaving its delivery claims to lapse (tests). */
  async stop(options: { releaseClaims?: boolean } = {}): Promise<void> {
    if (this.#prune) clearInterval(this.#prune);
    await this.#sync.stop();
    await this.engine.stop();
    await this.dispatcher.stop(options);
  }

  #changed(id: string): void {
    this.#sync.changed(id);
  }

  // --- webhooks ---

  async create(dev: DeveloperClaims, raw: unknown): Promise<{ id: string; message: string; signingSecret: string }> {
    const body = parseBody(createSchema, raw);
    const { service, metricName } = normalizeMetric(this.#o.catalog, body.service, body.metricName);
    compileCondition(body.condition);
    const targetURL = checkTargetUrl(body.targetURL, this.#policy);
    if ((await this.#o.store.countForLicense(dev.licenseId)) >= this.#o.settings.maxPerLicense) {
      throw new OdmError('ODM_ERR_WEBHOOK_LIMIT', `license ${dev.licenseId} has ${this.#o.settings.maxPerLicense} webhooks, its limit`, { status: 409 });
    }
    const id = randomUUID();
    const displayName = body.displayName?.trim() || id;
    this.#assertNameFree(dev.licenseId, displayName, undefined);
    await verifyTarget(targetURL, body.verificationToken, this.#policy);
    const now = this.#o.clock.now();
    const secret = newSigningSecret();
    const row: WebhookRow = {
      id, license_id: dev.licenseId, grantee: dev.clientId.toLowerCase(), service, metric_name: metricName, condition: body.condition, cooldown_s: body.coolDownPeriod,
      target_url: targetURL, status: body.status ?? 'enabled', disabled_reason: null, failure_count: 0, display_name: displayName, description: body.description ?? '',
      secret_ct: this.#o.sealer.sealSecret(id, secret), created_at: now, updated_at: now,
    };
    await this.#o.store.insert(row);
    this.registry.put(row);
    this.#changed(id);
    return { id, message: 'Webhook registered successfully', signingSecret: secret };
  }

  list(dev: DeveloperClaims): WebhookView[] {
    return this.registry.ofLicense(dev.licenseId).map(view);
  }

  get(dev: DeveloperClaims, id: string): WebhookView {
    return view(this.#own(dev, id));
  }

  async update(dev: DeveloperClaims, id: string, raw: unknown): Promise<{ id: string; message: string }> {
    const hook = this.#own(dev, id);
    const body = parseBody(updateSchema, raw);
    const values: Partial<WebhookRow> = {};
    if (body.condition !== undefined) {
      compileCondition(body.condition);
      values.condition = body.condition;
    }
    if (body.coolDownPeriod !== undefined) values.cooldown_s = body.coolDownPeriod;
    if (body.targetURL !== undefined) {
      const target = checkTargetUrl(body.targetURL, this.#policy);
      await verifyTarget(target, body.verificationToken!, this.#policy);
      values.target_url = target;
    }
    if (body.status !== undefined) values.status = body.status;
    if (body.description !== undefined) values.description = body.description;
    if (body.displayName !== undefined) {
      const name = body.displayName.trim() || id;
      this.#assertNameFree(dev.licenseId, name, id);
      values.display_name = name;
    }
    // As DIMO: an update resets the failure count (and so clears a failure-disable when re-enabled).
    values.failure_count = 0;
    if (body.status === 'enabled' || hook.row.status === 'enabled') values.disabled_reason = null;
    values.updated_at = this.#o.clock.now();
    await this.#o.store.update(id, values);
    this.registry.put({ ...hook.row, ...values });
    this.#changed(id);
    this.dispatcher.poke();
    return { id, message: 'Webhook updated successfully' };
  }

  async remove(dev: DeveloperClaims, id: string): Promise<{ message: string }> {
    this.#own(dev, id);
    await this.#o.store.delete(id);
    this.registry.remove(id);
    this.#changed(id);
    return { message: 'Webhook deleted successfully' };
  }

  async rotateSecret(dev: DeveloperClaims, id: string): Promise<{ id: string; signingSecret: string }> {
    const hook = this.#own(dev, id);
    const secret = newSigningSecret();
    const sealed = this.#o.sealer.sealSecret(id, secret);
    const now = this.#o.clock.now();
    await this.#o.store.update(id, { secret_ct: sealed, updated_at: now });
    this.registry.put({ ...hook.row, secret_ct: sealed, updated_at: now });
    this.registry.forgetSecret(id);
    this.#changed(id);
    return { id, signingSecret: secret };
  }

  // --- vehicle subscriptions ---

  /** Subscribes a vehicle; the app must hold the metric's privilege on it now (403 otherwise). */
  async subscribe(dev: DeveloperClaims, id: string, asset: string): Promise<{ message: string }> {
    const hook = this.#own(dev, id);
    const vehicleId = this.#o.parseAsset(asset);
    this.#authorize(hook, vehicleId);
    await this.#o.store.subscribe(id, vehicleId.toString(), this.#o.clock.now());
    this.registry.subscribe(id, vehicleId.toString(), this.#o.clock.now());
    this.#changed(id);
    return { message: 'Vehicle assigned successfully' };
  }

  async subscribeMany(dev: DeveloperClaims, id: string, assets: readonly string[] | 'all'): Promise<{ message: string; failedSubscriptions?: Array<{ assetDid: string; message: string }> }> {
    const hook = this.#own(dev, id);
    const ids = assets === 'all' ? this.#o.access.sharedVehicles(hook.row.grantee, hook.privileges) : assets.map((a) => this.#o.parseAsset(a));
    if (ids.length > 10_000) throw new OdmError('ODM_ERR_VALIDATION', 'at most 10,000 vehicles per request', { status: 400 });
    const failed: Array<{ assetDid: string; message: string }> = [];
    let done = 0;
    for (const vehicleId of ids) {
      try {
        this.#authorize(hook, vehicleId);
        await this.#o.store.subscribe(id, vehicleId.toString(), this.#o.clock.now());
        this.registry.subscribe(id, vehicleId.toString(), this.#o.clock.now());
        done++;
      } catch (err) {
        failed.push({ assetDid: this.#o.assetDid(vehicleId), message: err instanceof OdmError ? `${err.code}: ${err.message}` : 'failed' });
      }
    }
    if (done > 0) this.#changed(id);
    return { message: `Subscribed ${done} assets`, ...(failed.length > 0 ? { failedSubscriptions: failed } : {}) };
  }

  async unsubscribe(dev: DeveloperClaims, id: string, assets: readonly string[] | 'all'): Promise<{ message: string }> {
    const hook = this.#own(dev, id);
    const ids = assets === 'all' ? [...hook.vehicles.keys()] : assets.map((a) => this.#o.parseAsset(a).toString());
    const n = await this.#o.store.unsubscribe(id, ids);
    for (const v of ids) this.registry.unsubscribe(id, v);
    this.#changed(id);
    return { message: assets !== 'all' && assets.length === 1 ? 'Vehicle unsubscribed successfully' : `Unsubscribed ${n} vehicles` };
  }

  /** DIDs of the vehicles subscribed to a webhook (DIMO's GET /v1/webhooks/{id}). */
  vehiclesOf(dev: DeveloperClaims, id: string): Array<{ tokenId: string; assetDid: string; createdAt: string | null }> {
    const hook = this.#own(dev, id);
    return [...hook.vehicles].map(([v, at]) => ({ tokenId: v, assetDid: this.#o.assetDid(BigInt(v)), createdAt: iso(at) })).sort((a, b) => (BigInt(a.tokenId) < BigInt(b.tokenId) ? -1 : 1));
  }

  subscriptionsOfVehicle(dev: DeveloperClaims, asset: string): Array<{ webhookId: string; assetDid: string; createdAt: string | null; description: string }> {
    const vehicleId = this.#o.parseAsset(asset).toString();
    const out = [];
    for (const hook of this.registry.forVehicle(vehicleId) ?? []) {
      if (hook.row.license_id !== dev.licenseId) continue;
      out.push({ webhookId: hook.row.id, assetDid: this.#o.assetDid(BigInt(vehicleId)), createdAt: iso(hook.vehicles.get(vehicleId) ?? null), description: hook.row.description });
    }
    return out;
  }

  // --- delivery log ---

  async deliveries(dev: DeveloperClaims, id: string, q: { limit?: unknown; cursor?: unknown; status?: unknown }): Promise<{ deliveries: DeliveryView[]; nextCursor?: string }> {
    this.#own(dev, id);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new OdmError('ODM_ERR_VALIDATION', 'limit must be 1–500', { status: 400 });
    const statuses: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dropped'];
    if (q.status !== undefined && !statuses.includes(q.status as DeliveryStatus)) throw new OdmError('ODM_ERR_VALIDATION', `status must be one of ${statuses.join(', ')}`, { status: 400 });
    let before: { at: number; id: string } | undefined;
    if (q.cursor !== undefined) {
      const m = typeof q.cursor === 'string' ? /^(\d{1,16}):([0-9a-f-]{36})$/.exec(Buffer.from(q.cursor, 'base64url').toString()) : null;
      if (!m) throw new OdmError('ODM_ERR_VALIDATION', 'cursor is not one this API gave', { status: 400 });
      before = { at: Number(m[1]), id: m[2]! };
    }
    const rows = await this.#o.store.deliveries(id, { limit: limit + 1, ...(before ? { before } : {}), ...(q.status ? { status: q.status as DeliveryStatus } : {}) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      deliveries: page.map((r) => this.#deliveryView(r)),
      ...(rows.length > limit && last ? { nextCursor: Buffer.from(`${Number(last.created_at)}:${last.id}`).toString('base64url') } : {}),
    };
  }

  /** The signals a webhook can watch (DIMO's GET /v1/webhooks/signals). */
  signals(): Array<{ name: string; vss: string; unit: string | null; valueType: string; privilege: number }> {
    return this.#o.catalog.signals.map((s) => ({ name: s.name, vss: s.vss, unit: s.unit ?? null, valueType: valueType(s), privilege: s.privilege }));
  }

  #own(dev: DeveloperClaims, id: string): LoadedWebhook {
    const hook = /^[0-9a-f-]{36}$/.test(id) ? this.registry.get(id) : undefined;
    // Another license's webhook is as unknown as a missing one.
    if (!hook || hook.row.license_id !== dev.licenseId) throw new OdmError('ODM_ERR_WEBHOOK_NOT_FOUND', 'no such webhook', { status: 404 });
    return hook;
  }

  #authorize(hook: LoadedWebhook, vehicleId: bigint): void {
    if (!this.#o.access.vehicle(vehicleId)) throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', `vehicle ${vehicleId} does not exist`, { status: 404 });
    this.#o.access.authorize({ licenseId: hook.row.license_id, grantee: hook.row.grantee, vehicleId, privileges: hook.privileges });
  }

  #assertNameFree(licenseId: string, name: string, self: string | undefined): void {
    if (this.registry.ofLicense(licenseId).some((h) => h.row.id !== self && h.row.display_name === name)) {
      throw new OdmError('ODM_ERR_WEBHOOK_NAME_TAKEN', `this license already has a webhook named ${JSON.stringify(name)}`, { status: 409 });
    }
  }

  #deliveryView(r: DeliveryRow): DeliveryView {
    return {
      id: r.id, eventId: r.event_id, tokenId: r.vehicle_id, assetDid: this.#o.assetDid(BigInt(r.vehicle_id)), status: r.status, attempts: r.attempts,
      createdAt: iso(r.created_at)!, lastAttemptAt: iso(r.last_attempt_at), nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
      finishedAt: iso(r.finished_at), lastStatus: r.last_status, lastError: r.last_error,
    };
  }
}

export interface WebhookView {
  id: string;
  service: string;
  metricName: string;
  condition: string;
  targetURL: string;
  coolDownPeriod: number;
  status: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  failureCount: number;
  displayName: string;
  /** Why the node disabled it (consecutive failures); null otherwise. */
  disabledReason: string | null;
  subscribedVehicles: number;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  tokenId: string;
  assetDid: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  finishedAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

function view(h: LoadedWebhook): WebhookView {
  const r = h.row;
  return {
    id: r.id, service: r.service, metricName: r.metric_name, condition: r.condition, targetURL: r.target_url, coolDownPeriod: r.cooldown_s, status: r.status,
    description: r.description, createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)!, failureCount: r.failure_count, displayName: r.display_name,
    disabledReason: r.disabled_reason, subscribedVehicles: h.vehicles.size,
  };
}
