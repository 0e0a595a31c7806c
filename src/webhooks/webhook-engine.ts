// Evaluates webhooks on stored telemetry. For each sample of a watched signal of a subscribed vehicle,
// in time order: the vehicle's previous sample of that signal becomes `previousValue`, then every enabled
// webhook on that signal fires if the app may still read it (license gate + consent, from memory), its
// cooldown for this vehicle has run out and its condition holds. A fire records the cooldown and queues
// the delivery in one transaction; the dispatcher sends it.
//
// In a cluster each batch reaches one process (the bus queue group), so nothing a later batch depends on
// may live only in one process's memory: the cooldown is checked by the database as the fire is written,
// and previous samples (for conditions that read them) are kept sealed in the database. Within a process
// batches of one vehicle are evaluated one after another, so their previous samples chain in order.
import { createHash } from 'node:crypto';
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

/** The bus queue group webhook evaluation joins: each stored batch is evaluated by one process. */
export const WEBHOOK_GROUP = 'webhooks';

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
}

const previousKey = (vehicleId: string, signal: string, ownerVersion: number) => `${vehicleId}|${signal}|${ownerVersion}`;

/**
 * A delivery's id follows from what fired (webhook × sample), so evaluating a batch again — the bus
 * redelivers one whose evaluator died before acknowledging it — queues nothing twice.
 */
export function deliveryIdOf(webhookId: string, sample: { eventId: string; name: string; timestamp: number }): string {
  const h = createHash('sha256').update(`${webhookId}\n${sample.eventId}\n${sample.name}\n${sample.timestamp}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class WebhookEngine {
  readonly #o: WebhookEngineOptions;
  readonly #log: Logger;
  /** The evaluation running (or last run) per vehicle; the next batch of that vehicle waits for it. */
  readonly #chains = new Map<string, Promise<void>>();
  #off: (() => void) | undefined;
  readonly #fired;
  readonly #refused;

  constructor(options: WebhookEngineOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'webhooks' });
    this.#fired = options.metrics?.counter('opendimo_webhook_fires_total', 'Webhook conditions that fired (deliveries queued)');
    this.#refused = options.metrics?.counter('opendimo_webhook_refused_total', 'Webhook evaluations skipped because the app may not read the vehicle');
  }

  start(): void {
    this.#off = this.#o.bus.subscribe('telemetry.*', (payload) => this.evaluate(payload as StoredBatch), { group: WEBHOOK_GROUP });
  }

  /** Stops listening and waits for evaluations under way. */
  async stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await Promise.allSettled([...this.#chains.values()]);
  }

  /**
   * Evaluates a batch after the vehicle's earlier ones; resolves once its fires are written, rejects if
   * one could not be (so a NATS bus redelivers the batch; fires already written are not repeated).
   */
  evaluate(batch: StoredBatch): Promise<void> {
    const key = batch.vehicleTokenId;
    const run = (this.#chains.get(key) ?? Promise.resolve()).then(() => this.#evaluate(batch));
    const settled: Promise<void> = run
      .catch((err: unknown) => this.#log.error({ vehicleId: key, reason: err instanceof Error ? err.message : String(err) }, 'webhook evaluation failed'))
      .finally(() => {
        if (this.#chains.get(key) === settled) this.#chains.delete(key);
      });
    this.#chains.set(key, settled);
    return run;
  }

  async #evaluate(batch: StoredBatch): Promise<void> {
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
    const kept = [...watched].filter(([, list]) => list.some((h) => h.usesPrevious)).map(([name]) => name);
    const previous = await this.#loadPrevious(batch, kept);
    const latest = new Map<string, FiredSample>();
    for (const sample of samples) {
      const current: SampleVars = { value: sample.value, source: sample.source };
      const before = previous.get(sample.name);
      previous.set(sample.name, current);
      latest.set(sample.name, sample);
      for (const hook of watched.get(sample.name)!) await this.#consider(hook, vehicleId, batch, sample, current, before);
    }
    for (const name of kept) {
      const sample = latest.get(name);
      if (sample) await this.#savePrevious(batch, sample);
    }
  }

  async #loadPrevious(batch: StoredBatch, signals: string[]): Promise<Map<string, SampleVars>> {
    const out = new Map<string, SampleVars>();
    for (const row of await this.#o.store.previous(batch.vehicleTokenId, signals)) {
      if (row.owner_version !== batch.ownerVersion) continue; // another owner's data is not this owner's previous value
      try {
        out.set(row.signal, JSON.parse(this.#o.sealer.openPrevious(previousKey(row.vehicle_id, row.signal, row.owner_version), row.value_ct)) as SampleVars);
      } catch {
        // Sealed under another key (KEK rotated): as if none was kept.
      }
    }
    return out;
  }

  async #savePrevious(batch: StoredBatch, sample: FiredSample): Promise<void> {
    const json = JSON.stringify({ value: sample.value, source: sample.source });
    await this.#o.store.savePrevious({
      vehicle_id: batch.vehicleTokenId, signal: sample.name, owner_version: batch.ownerVersion, sample_ts: sample.timestamp,
      value_ct: this.#o.sealer.sealPrevious(previousKey(batch.vehicleTokenId, sample.name, batch.ownerVersion), json), updated_at: this.#o.clock.now(),
    });
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

  async #consider(hook: LoadedWebhook, vehicleId: bigint, batch: StoredBatch, sample: FiredSample, current: SampleVars, previous: SampleVars | undefined): Promise<void> {
    const row = hook.row;
    const now = this.#o.clock.now();
    const cooldownMs = row.cooldown_s * 1000;
    // A fire this process recorded is a fact; one another process recorded the database catches below.
    const last = this.#o.registry.lastFire(row.id, batch.vehicleTokenId);
    if (last !== undefined && now - last < cooldownMs) return;
    const vehicle = this.#o.access.vehicle(vehicleId);
    if (!vehicle || vehicle.version !== batch.ownerVersion) return;
    try {
      this.#o.access.authorize({ licenseId: row.license_id, grantee: row.grantee, vehicleId, privileges: hook.privileges });
    } catch {
      this.#refused?.inc();
      return;
    }
    if (!hook.condition({ current, previous })) return;
    const deliveryId = deliveryIdOf(row.id, sample);
    const { id: eventId, body } = buildPayload(
      { webhookId: row.id, webhookName: row.display_name, condition: row.condition, assetDid: this.#o.assetDid(vehicleId), producer: this.#o.producer(), firedAt: now },
      sample,
      this.#o.catalog.byName.get(sample.name),
    );
    let queued: boolean;
    try {
      queued = await this.#o.store.enqueue({
        id: deliveryId, webhookId: row.id, vehicleId: batch.vehicleTokenId, ownerVersion: batch.ownerVersion, eventId, bodyCt: this.#o.sealer.sealBody(deliveryId, body), at: now, cooldownMs,
      });
    } catch (err) {
      this.#o.registry.setFire(row.id, batch.vehicleTokenId, undefined);
      this.#log.error({ webhookId: row.id, reason: err instanceof Error ? err.message : String(err) }, 'could not queue a webhook delivery');
      throw err;
    }
    // Refused: another process fired within the cooldown (or this one was queued before). Forget our
    // hint; the database decides next time.
    this.#o.registry.setFire(row.id, batch.vehicleTokenId, queued ? now : undefined);
    if (!queued) return;
    this.#fired?.inc();
    this.#o.onQueued();
  }
}
