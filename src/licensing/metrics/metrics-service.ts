// Publishes licensing metrics per month. The month under way is computed live; a month that ended more
// than an hour ago (time for the last blocks to be indexed) is computed once more and frozen in
// licensing_metrics_months, so what was published for it never drifts as grants later expire or are
// revoked. A month before this node kept metrics is frozen from what the mirrors hold when first asked.
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { IdentityIndex } from '../../identity/identity-index.ts';
import type { Store } from '../../store/store.ts';
import type { LicensingIndex } from '../licensing-index.ts';
import { decisionsBetween } from './decision-log.ts';
import { licensingMetrics, monthOf, monthRange, type LicensingMetrics } from './licensing-metrics.ts';

export const FREEZE_AFTER_MS = 3_600_000;

export type PublishedMetrics = LicensingMetrics & { publishedAt: number | null };

export interface MetricsServiceOptions {
  store: Store;
  clock: Clock;
  licensing(): LicensingIndex;
  identity(): IdentityIndex;
}

export class LicensingMetricsService {
  readonly #o: MetricsServiceOptions;

  constructor(o: MetricsServiceOptions) {
    this.#o = o;
  }

  async month(month?: string): Promise<PublishedMetrics> {
    const { store, clock } = this.#o;
    const now = clock.now();
    const range = monthRange(month ?? monthOf(now));
    if (range.from > now) throw new OdmError('ODM_ERR_VALIDATION', 'month must not be in the future', { details: { month: range.month } });
    const stored = await store.db.selectFrom('licensing_metrics_months').selectAll().where('month', '=', range.month).executeTakeFirst();
    if (stored) return { ...(JSON.parse(stored.doc) as LicensingMetrics), publishedAt: Number(stored.published_at) };
    const doc = licensingMetrics({ range, now, licensing: this.#o.licensing(), identity: this.#o.identity(), decisions: await decisionsBetween(store, range.from, range.to) });
    if (now < range.to + FREEZE_AFTER_MS) return { ...doc, final: false, publishedAt: null };
    await store.db.insertInto('licensing_metrics_months').values({ month: range.month, doc: JSON.stringify(doc), published_at: now })
      .onConflict((oc) => oc.column('month').doNothing()).execute();
    const row = await store.db.selectFrom('licensing_metrics_months').selectAll().where('month', '=', range.month).executeTakeFirstOrThrow();
    return { ...(JSON.parse(row.doc) as LicensingMetrics), publishedAt: Number(row.published_at) };
  }

  /** Freezes the previous month once it is due (the capability calls this hourly). */
  async freezeDue(): Promise<void> {
    const now = this.#o.clock.now();
    const d = new Date(now);
    const previous = monthOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1));
    if (now >= monthRange(previous).to + FREEZE_AFTER_MS) await this.month(previous);
  }
}
