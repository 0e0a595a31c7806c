// The owner's retention setting: how many days of telemetry the node keeps for every vehicle (and owner
// epoch) the owner held, or null for forever (no row). retention-sweeper.ts enforces it.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';

export const RETENTION_MIN_DAYS = 1;
/** Ten years: beyond that "forever" (null) says what is meant. */
export const RETENTION_MAX_DAYS = 3650;

/** The boundary check: an integer number of days in range, or null; ODM_ERR_RETENTION_INVALID otherwise. */
export function validateRetentionDays(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < RETENTION_MIN_DAYS || value > RETENTION_MAX_DAYS) {
    throw new OdmError('ODM_ERR_RETENTION_INVALID', `retention days must be an integer from ${RETENTION_MIN_DAYS} to ${RETENTION_MAX_DAYS}, or null to keep everything`, {
      details: { min: RETENTION_MIN_DAYS, max: RETENTION_MAX_DAYS },
    });
  }
  return value;
}

export class RetentionSettings {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Days kept for `owner`, or null (forever). */
  async get(owner: string): Promise<number | null> {
    const row = await this.#store.db.selectFrom('owner_retention').select('days').where('owner', '=', owner.toLowerCase()).executeTakeFirst();
    return row ? row.days : null;
  }

  /** Sets (days) or clears (null) the owner's retention; validates again so no caller can skip it. */
  async set(owner: string, days: number | null): Promise<void> {
    const value = validateRetentionDays(days);
    const key = owner.toLowerCase();
    if (value === null) {
      await this.#store.db.deleteFrom('owner_retention').where('owner', '=', key).execute();
      return;
    }
    const updated_at = this.#clock.now();
    await this.#store.db
      .insertInto('owner_retention')
      .values({ owner: key, days: value, updated_at })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ days: value, updated_at }))
      .execute();
  }

  /** Every owner with a retention set. */
  async all(): Promise<Map<string, number>> {
    const rows = await this.#store.db.selectFrom('owner_retention').select(['owner', 'days']).execute();
    return new Map(rows.map((r) => [r.owner, r.days]));
  }
}
