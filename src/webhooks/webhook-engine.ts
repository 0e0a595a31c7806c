// Evaluates webhooks on stored telemetry. For each sample of a watched signal of a subscribed vehicle,
// in time order: the vehicle's previous sample of that signal becomes `previousValue`, then every enabled
// webhook on that signal fires if the app may still read it (license gate + consent, from memory), its
// cooldown for this vehicle has run out and its condition holds. A fire records the cooldown and queues
// the delivery in one transaction; the dispatcher sends it.
import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import type { TelemetryEvent } from '../ingest/pipeline/stored-telemetry.ts';
import type { AppAccess } from '../live/app-access.ts';
import type { SampleVars } from './webhook-conditions.ts';
import { buildPayload, type FiredSample } from './webhook-payload.ts';
import type { LoadedWebhook, WebhookRegistry } from './webhook-registry.ts';
import type { WebhookSealer } from './webhook-sealer.ts';
import type { WebhookStore } from './webhook-store.ts';

interface StoredBatch {
  vehicleTokenId: string;
  ownerVersion: number;
  events: TelemetryEvent[];
}

export interface WebhookEngineOptions {
  bus: Bus;
  registry: WebhookRegistry;
  store: WebhookStore;
  sealer: WebhookSealer;
  access: AppAccess;
  catalog: SignalCatalog;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  assetDid: (vehicleId: bigint) => string;
  /** The node's base URL, the payload's `producer`. */
  producer: () => string;
  /** Told after each queued delivery. */
  onQueued: () => void;
  /** Previous samples remembered (vehicle × signal); the oldest are forgotten past this. Default 100,000. */
  maxPrevious?: number;
}

export class WebhookEngine {
  readonly #o: WebhookEngineOptions;
  readonly #log: Logger;
  /** `vehicle|ownerVersion|signal` → the previous sample. Map order is recency order. */
  readonly #previous = new Map<string, SampleVars>();
  #off: (() => void) | undefined;
  #pending = new Set<Promise<void>>();
  readonly #fired;
  readonly #refused;

  constructor(options: WebhookEngineOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'webhooks' });
    this.#fired = options.metrics?.counter('opendimo_webhook_fires_total', 'Webhook conditions that fired (deliveries queued)');
    this.#refused = options.metrics?.counter('opendimo_webhook_refused_total', 'Webhook evaluations skipped because the app may not read the vehicle');
  }

  start(): void {
    this.#off = this.#o.bus.subscribe('telemetry.*', (payload) => this.evaluate(payload as StoredBatch));
  }

  /** Stops listening and waits for queued writes. */
  async stop(): Promise<void> {
    this.#off?.();
    await Promise.allSettled([...this.#pending]);
  }

  /** Forgets previous samples of a vehicle (e.g. the last webhook on it was removed). */
  forget(vehicleId: string): void {
    for (const key of this.#previous.keys()) if (key.startsWith(`${vehicleId}|`)) this.#previous.delete(key);
  }

  evaluate(batch: StoredBatch): void {
    const hooks = this.#o.registry.forVehicle(batch.vehicleTokenId);
    if (!hooks || hooks.size === 0) return;
    const watched = new Map<string, LoadedWebhook[]>();
    for (const h of hooks) {
      if (h.row.status !== 'enabled') continue;
      const list = watched.get(h.row.metric_name);
      if (list) list.push(h);
      else watched.set(h.row.metric_name, [h]);
    }
    if (watched.size === 0) return;
    const samples = this.#samples(batch.events, watched);
    if (samples.length === 0) return;
    const vehicleId = BigInt(batch.vehicleTokenId);
    for (const sample of samples) {
      const key = `${batch.vehicleTokenId}|${batch.ownerVersion}|${sample.name}`;
      const previous = this.#previous.get(key);
      const current: SampleVars = { value: sample.value, source: sample.source };
      this.#previous.delete(key);
      this.#previous.set(key, current);
      if (this.#previous.size > (this.#o.maxPrevious ?? 100_000)) this.#previous.delete(this.#previous.keys().next().value!);
      for (const hook of watched.get(sample.name)!) this.#consider(hook, vehicleId, batch, sample, current, previous);
    }
  }

  #samples(events: TelemetryEvent[], watched: Map<string, LoadedWebhook[]>): FiredSample[] {
    const out: FiredSample[] = [];
    const coordinates = this.#o.catalog.signals[this.#o.catalog.coordinates]!.name;
    for (const e of events) {
      const base = { source: e.source, producer: e.producer, eventId: e.id };
      for (const s of e.signals) if (watched.has(s.name)) out.push({ name: s.name, timestamp: s.timestamp, value: s.value, ...base });
      for (const s of e.locationSignals) if (watched.has(s.name)) out.push({ name: s.name, timestamp: s.timestamp, value: s.value, ...base });
      if (watched.has(coordinates)) {
        for (const p of e.locations) out.push({ name: coordinates, timestamp: p.timestamp, value: { latitude: p.latitude, longitude: p.longitude, hdop: null }, ...base });
      }
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  #consider(hook: LoadedWebhook, vehicleId: bigint, batch: StoredBatch, sample: FiredSample, current: SampleVars, previous: SampleVars | undefined): void {
    const row = hook.row;
    const now = this.#o.clock.now();
    const last = this.#o.registry.lastFire(row.id, batch.vehicleTokenId);
    if (last !== undefined && now - last < row.cooldown_s * 1000) return;
    const vehicle = this.#o.access.vehicle(vehicleId);
    if (!vehicle || vehicle.version !== batch.ownerVersion) return;
    try {
      this.#o.access.authorize({ licenseId: row.license_id, grantee: row.grantee, vehicleId, privileges: hook.privileges });
    } catch {
      this.#refused?.inc();
      return;
    }
    if (!hook.condition({ current, previous })) return;
    // The cooldown starts now, before the write lands, so later samples in this batch respect it.
    this.#o.registry.setFire(row.id, batch.vehicleTokenId, now);
    const deliveryId = randomUUID();
    const { id: eventId, body } = buildPayload(
      { webhookId: row.id, webhookName: row.display_name, condition: row.condition, assetDid: this.#o.assetDid(vehicleId), producer: this.#o.producer(), firedAt: now },
      sample,
      this.#o.catalog.byName.get(sample.name),
    );
    this.#fired?.inc();
    const write = this.#o.store
      .enqueue({ id: deliveryId, webhookId: row.id, vehicleId: batch.vehicleTokenId, ownerVersion: batch.ownerVersion, eventId, bodyCt: this.#o.sealer.sealBody(deliveryId, body), at: now })
      .then(() => this.#o.onQueued())
      .catch((err: unknown) => this.#log.error({ webhookId: row.id, reason: err instanceof Error ? err.message : String(err) }, 'could not queue a webhook delivery'))
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }
}
