// The webhooks in memory, so evaluating a stored batch touches no database: each webhook with its
// compiled condition and the privileges its metric needs, the vehicles subscribed to it (indexed by
// vehicle), the last fire per (webhook, vehicle) this process recorded (a hint: the database decides
// cooldowns), and decrypted signing secrets. Loaded at start; the service updates it together with every
// write, and reloads from the database what another process of a cluster changed.
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import { compileCondition, type Condition } from './webhook-conditions.ts';
import type { WebhookRow } from './webhook-store.ts';

export interface LoadedWebhook {
  row: WebhookRow;
  condition: Condition;
  /** Privileges a delivery of this metric needs: 1 for non-location signals, 4 for location ones. */
  privileges: number[];
  vehicles: Map<string, number>;
  /** The condition reads the previous sample, which then has to be kept (in the database). */
  usesPrevious: boolean;
}

const PREVIOUS_VARIABLE = /\b(previous(Value|ValueNumber|ValueString|Source)|hasPreviousValue)\b/;

type Subscription = { webhook_id: string; vehicle_id: string; created_at: number };

/** The privilege a metric needs: its catalogue class (1 non-location, 4 location). */
export function metricPrivileges(catalog: SignalCatalog, metricName: string): number[] {
  const def = catalog.byName.get(metricName);
  return [def?.privilege ?? 1];
}

export class WebhookRegistry {
  readonly #catalog: SignalCatalog;
  readonly #hooks = new Map<string, LoadedWebhook>();
  readonly #byVehicle = new Map<string, Set<LoadedWebhook>>();
  readonly #fires = new Map<string, number>();
  readonly #secrets = new Map<string, string>();

  constructor(catalog: SignalCatalog) {
    this.#catalog = catalog;
  }

  load(rows: WebhookRow[], subscriptions: Subscription[], fires: Array<{ webhook_id: string; vehicle_id: string; fired_at: number }>): void {
    this.replace(rows, subscriptions);
    for (const f of fires) this.#fires.set(`${f.webhook_id}|${f.vehicle_id}`, Number(f.fired_at));
  }

  /** Makes the registry match the database: webhooks gone there go, the rest are refreshed with their subscriptions. */
  replace(rows: WebhookRow[], subscriptions: Subscription[]): void {
    const ids = new Set(rows.map((r) => r.id));
    for (const id of [...this.#hooks.keys()]) if (!ids.has(id)) this.remove(id);
    const byHook = new Map<string, Subscription[]>();
    for (const s of subscriptions) byHook.set(s.webhook_id, [...(byHook.get(s.webhook_id) ?? []), s]);
    for (const row of rows) this.refresh(row.id, row, byHook.get(row.id) ?? []);
  }

  /** One webhook as the database has it now (row undefined: deleted), with exactly these subscriptions. */
  refresh(id: string, row: WebhookRow | undefined, subscriptions: Subscription[]): void {
    if (!row) return this.remove(id);
    const hook = this.put(row);
    const keep = new Set(subscriptions.map((s) => s.vehicle_id));
    for (const vehicleId of [...hook.vehicles.keys()]) if (!keep.has(vehicleId)) this.unsubscribe(row.id, vehicleId);
    for (const s of subscriptions) this.subscribe(row.id, s.vehicle_id, Number(s.created_at));
  }

  /** Adds or replaces a webhook's row (recompiling its condition), keeping its subscriptions. */
  put(row: WebhookRow): LoadedWebhook {
    const existing = this.#hooks.get(row.id);
    if (existing) {
      if (existing.row.condition !== row.condition) {
        existing.condition = compileCondition(row.condition);
        existing.usesPrevious = PREVIOUS_VARIABLE.test(row.condition);
      }
      // Rotated (maybe by another process): the cached secret is stale.
      if (!Buffer.from(existing.row.secret_ct).equals(Buffer.from(row.secret_ct))) this.#secrets.delete(row.id);
      existing.row = row;
      existing.privileges = metricPrivileges(this.#catalog, row.metric_name);
      return existing;
    }
    const hook: LoadedWebhook = { row, condition: compileCondition(row.condition), privileges: metricPrivileges(this.#catalog, row.metric_name), vehicles: new Map(), usesPrevious: PREVIOUS_VARIABLE.test(row.condition) };
    this.#hooks.set(row.id, hook);
    return hook;
  }

  get(id: string): LoadedWebhook | undefined {
    return this.#hooks.get(id);
  }

  ofLicense(licenseId: string): LoadedWebhook[] {
    return [...this.#hooks.values()].filter((h) => h.row.license_id === licenseId).sort((a, b) => Number(a.row.created_at) - Number(b.row.created_at) || a.row.id.localeCompare(b.row.id));
  }

  remove(id: string): void {
    const hook = this.#hooks.get(id);
    if (!hook) return;
    for (const vehicleId of hook.vehicles.keys()) this.unsubscribe(id, vehicleId);
    this.#hooks.delete(id);
    this.#secrets.delete(id);
  }

  subscribe(webhookId: string, vehicleId: string, at: number): void {
    const hook = this.#hooks.get(webhookId);
    if (!hook || hook.vehicles.has(vehicleId)) return;
    hook.vehicles.set(vehicleId, at);
    let set = this.#byVehicle.get(vehicleId);
    if (!set) this.#byVehicle.set(vehicleId, (set = new Set()));
    set.add(hook);
  }

  unsubscribe(webhookId: string, vehicleId: string): void {
    const hook = this.#hooks.get(webhookId);
    if (!hook) return;
    hook.vehicles.delete(vehicleId);
    const set = this.#byVehicle.get(vehicleId);
    set?.delete(hook);
    if (set && set.size === 0) this.#byVehicle.delete(vehicleId);
    this.#fires.delete(`${webhookId}|${vehicleId}`);
  }

  /** Webhooks subscribed to the vehicle (any status). */
  forVehicle(vehicleId: string): ReadonlySet<LoadedWebhook> | undefined {
    return this.#byVehicle.get(vehicleId);
  }

  lastFire(webhookId: string, vehicleId: string): number | undefined {
    return this.#fires.get(`${webhookId}|${vehicleId}`);
  }

  setFire(webhookId: string, vehicleId: string, at: number | undefined): void {
    if (at === undefined) this.#fires.delete(`${webhookId}|${vehicleId}`);
    else this.#fires.set(`${webhookId}|${vehicleId}`, at);
  }

  secret(id: string, open: () => string): string {
    let s = this.#secrets.get(id);
    if (s === undefined) this.#secrets.set(id, (s = open()));
    return s;
  }

  forgetSecret(id: string): void {
    this.#secrets.delete(id);
  }
}
