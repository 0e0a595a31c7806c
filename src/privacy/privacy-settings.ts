// Owner privacy choices per vehicle and owner epoch, kept in the database (zones and the H3 cell sets
// covering them, encrypted under the vehicle's data key, since a zone is a place) and in memory for the
// ingest hot path.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { open, seal } from '../vault/aead.ts';
import { vehicleKeyRef, type DataKeys } from '../vault/data-keys.ts';
import { aad } from '../vault/records.ts';
import { kyselySql, vaultSql } from '../vault/vault-sql.ts';
import type { PrivacyPolicy } from './apply-privacy.ts';
import { compileZone, MAX_ZONES, validateZone, type ZoneSpec } from './zones.ts';

export interface PrivacySettings {
  locationOptOut: boolean;
  zones: ZoneSpec[];
}

/** Checks an owner's request body; throws ODM_ERR_PRIVACY_ZONE_INVALID / ODM_ERR_VALIDATION. */
export function validateSettings(input: unknown): PrivacySettings {
  const body = input as { locationOptOut?: unknown; zones?: unknown } | null;
  if (typeof body !== 'object' || body === null) throw new OdmError('ODM_ERR_VALIDATION', 'expected {locationOptOut, zones}');
  const optOut = body.locationOptOut ?? false;
  if (typeof optOut !== 'boolean') throw new OdmError('ODM_ERR_VALIDATION', 'locationOptOut must be true or false');
  const zones = body.zones ?? [];
  if (!Array.isArray(zones)) throw new OdmError('ODM_ERR_PRIVACY_ZONE_INVALID', 'zones must be an array');
  if (zones.length > MAX_ZONES) throw new OdmError('ODM_ERR_PRIVACY_ZONE_INVALID', `at most ${MAX_ZONES} zones per vehicle`);
  return { locationOptOut: optOut, zones: zones.map((z, i) => validateZone(z, i)) };
}

/** What the encrypted zones column holds: the owner's zones and the H3 cell sets that cover them. */
interface StoredZones {
  zones: ZoneSpec[];
  cells: Array<{ res: number; cells: string[]; action: ZoneSpec['action'] }>;
}

export class PrivacySettingsStore {
  readonly #store: Store;
  readonly #keys: DataKeys;
  readonly #clock: Clock;
  readonly #policies = new Map<string, PrivacyPolicy>();
  readonly #changed: Array<(vehicleId: string, version: number) => void> = [];

  constructor(store: Store, keys: DataKeys, clock: Clock) {
    this.#store = store;
    this.#keys = keys;
    this.#clock = clock;
  }

  /** Loads every vehicle's policy (only vehicles whose owners chose something have a row). */
  async load(): Promise<void> {
    const rows = await this.#store.db.selectFrom('privacy_settings').selectAll().execute();
    for (const r of rows) await this.#cache(r);
  }

  /** Re-reads one vehicle epoch's policy: another process of the cluster changed it. */
  async reload(vehicleId: string, version: number): Promise<void> {
    const row = await this.#store.db.selectFrom('privacy_settings').selectAll().where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    if (row) await this.#cache(row);
    else this.#policies.delete(`${vehicleId}:${version}`);
  }

  /** Called after this process changed a policy, so the cluster's other processes can reload it. */
  onChange(fn: (vehicleId: string, version: number) => void): void {
    this.#changed.push(fn);
  }

  async #cache(r: { vehicle_id: string; owner_version: number; location_opt_out: number; zones: Buffer | null }): Promise<void> {
    const stored = r.zones ? await this.#openZones(r.vehicle_id, r.owner_version, r.zones) : undefined;
    const zones = stored ? stored.cells.map((c) => ({ res: c.res, cells: new Set(c.cells), action: c.action })) : [];
    this.#policies.set(`${r.vehicle_id}:${r.owner_version}`, { locationOptOut: r.location_opt_out === 1, zones });
  }

  /** The policy the ingest path applies; undefined when the owner chose nothing. */
  policy(vehicleId: string, version: number): PrivacyPolicy | undefined {
    return this.#policies.size === 0 ? undefined : this.#policies.get(`${vehicleId}:${version}`);
  }

  async #openZones(vehicleId: string, version: number, sealed: Buffer): Promise<StoredZones | undefined> {
    const ref = vehicleKeyRef(vehicleId, version);
    const key = (await this.#keys.getMany(kyselySql(this.#store.db), [{ ref, kind: 'vehicle' }], false)).get(ref);
    if (!key) return undefined;
    return JSON.parse(open(key, sealed, aad.privacy(vehicleId, version)).toString('utf8')) as StoredZones;
  }

  async get(vehicleId: string, version: number): Promise<PrivacySettings> {
    const row = await this.#store.db.selectFrom('privacy_settings').selectAll().where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).executeTakeFirst();
    if (!row) return { locationOptOut: false, zones: [] };
    return { locationOptOut: row.location_opt_out === 1, zones: row.zones ? ((await this.#openZones(vehicleId, version, row.zones))?.zones ?? []) : [] };
  }

  async set(vehicleId: string, version: number, owner: string, settings: PrivacySettings): Promise<void> {
    const compiled = settings.zones.map(compileZone);
    await this.#store.db.transaction().execute(async (trx) => {
      let zones: Buffer | null = null;
      if (settings.zones.length > 0) {
        const ref = vehicleKeyRef(vehicleId, version);
        const key = (await this.#keys.getMany(vaultSql(this.#store, trx), [{ ref, kind: 'vehicle', vehicleId, version, owner: owner.toLowerCase() }], true)).get(ref)!;
        const stored: StoredZones = { zones: settings.zones, cells: compiled.map((z) => ({ res: z.res, cells: [...z.cells], action: z.action })) };
        zones = seal(key, Buffer.from(JSON.stringify(stored)), aad.privacy(vehicleId, version));
      }
      const row = { location_opt_out: settings.locationOptOut ? 1 : 0, zones, updated_at: this.#clock.now() };
      await trx.insertInto('privacy_settings').values({ vehicle_id: vehicleId, owner_version: version, ...row })
        .onConflict((oc) => oc.columns(['vehicle_id', 'owner_version']).doUpdateSet(row))
        .execute();
    });
    this.#policies.set(`${vehicleId}:${version}`, { locationOptOut: settings.locationOptOut, zones: compiled });
    for (const fn of this.#changed) fn(vehicleId, version);
  }

  forget(vehicleId: string, versions: number[]): void {
    for (const v of versions) this.#policies.delete(`${vehicleId}:${v}`);
  }
}
