// Keeps a process's webhook registry in step with the database when other processes of a cluster change
// it: whoever writes a webhook or its subscriptions announces `webhooks.changed` `{ id }` on the bus
// (without a queue group, so every process hears it), and each process re-reads that webhook. A periodic
// full reload catches an announcement that was lost (bus down, process starting).
import type { Bus } from '../bus/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { WebhookRegistry } from './webhook-registry.ts';
import type { WebhookStore } from './webhook-store.ts';

/** Published after a webhook or its subscriptions changed in the database: `{ id }`. */
export const WEBHOOKS_CHANGED = 'webhooks.changed';

export interface WebhookSyncOptions {
  bus: Bus;
  store: WebhookStore;
  registry: WebhookRegistry;
  logger: Logger;
  /** Full reload interval. Default 60 s. */
  reloadMs?: number;
}

export class WebhookSync {
  readonly #o: WebhookSyncOptions;
  #off: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Reloads run one after another, so an older read never lands after a newer one. */
  #reloads: Promise<void> = Promise.resolve();

  constructor(options: WebhookSyncOptions) {
    this.#o = options;
  }

  start(): void {
    this.#off = this.#o.bus.subscribe(WEBHOOKS_CHANGED, (payload) => {
      const id = (payload as { id?: unknown } | null)?.id;
      if (typeof id === 'string') return this.reloadOne(id);
    });
    this.#timer = setInterval(() => void this.reloadAll(), this.#o.reloadMs ?? 60_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#off?.();
    await this.#reloads;
  }

  /** Tells every process (this one too) that the webhook changed in the database. */
  changed(id: string): void {
    this.#o.bus.publish(WEBHOOKS_CHANGED, { id }).catch((err: unknown) => this.#warn('could not announce a webhook change', err, id));
  }

  /** Re-reads one webhook and its subscriptions. */
  reloadOne(id: string): Promise<void> {
    const { store, registry } = this.#o;
    this.#reloads = this.#reloads
      .then(async () => {
        const [row, subs] = await Promise.all([store.get(id), store.subscriptionsOf(id)]);
        registry.refresh(id, row, subs);
      })
      .catch((err: unknown) => this.#warn('could not reload a webhook', err, id));
    return this.#reloads;
  }

  reloadAll(): Promise<void> {
    const { store, registry } = this.#o;
    this.#reloads = this.#reloads
      .then(async () => {
        const [rows, subs] = await Promise.all([store.all(), store.subscriptions()]);
        registry.replace(rows, subs);
      })
      .catch((err: unknown) => this.#warn('could not reload webhooks', err));
    return this.#reloads;
  }

  #warn(message: string, err: unknown, webhookId?: string): void {
    this.#o.logger.warn({ ...(webhookId ? { webhookId } : {}), reason: err instanceof Error ? err.message : String(err) }, message);
  }
}
