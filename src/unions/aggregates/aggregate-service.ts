// Answers an app's aggregate query: validates it, takes the member vehicles of the dataset's union (at
// their current owner and owner epoch only; vehicles that opted out of location are left out of
// location datasets), reads what each contributes from the vault, runs the k-anonymity gate, records
// the release, and tells every contributing vehicle's owner, through their activity log, which release
// their vehicle went into. No per-owner consent is needed: membership is the owner's consent, and
// nothing below k vehicles and k owners ever leaves.
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ActivityLog } from '../../activity/activity-log.ts';
import type { Store } from '../../store/store.ts';
import type { UnionMemberships } from '../union-memberships.ts';
import { anonymize, type Contribution, type ReleasedGroup } from './anonymize.ts';
import type { Dataset, MemberVehicle, VehicleReader } from './dataset.ts';
import { groupText } from './dataset.ts';
import { datasetById } from './datasets.ts';
import type { ReleaseStore } from './release-store.ts';

export interface AggregateSettings {
  k: number;
  h3Resolution: number;
  /** Epsilon for a dataset, or undefined for no noise. */
  epsilonFor(datasetId: string): number | undefined;
}

export interface VehicleFacts {
  owner: string;
  version: number;
  make: string;
  model: string;
  year: number;
}

export interface AggregateServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  memberships: UnionMemberships;
  releases: ReleaseStore;
  settings: AggregateSettings;
  noiseSecret: Buffer;
  /** Current facts of a vehicle from the identity mirror. */
  vehicle(id: string): VehicleFacts | undefined;
  reader(): VehicleReader;
  activity(): ActivityLog | undefined;
  /** Vehicles read at once. */
  concurrency?: number;
}

export interface AppIdentity {
  licenseId: string;
  address: string;
  name: string;
}

export interface ReleaseView {
  releaseId: number;
  dataset: string;
  params: Record<string, unknown>;
  at: number;
  k: number;
  epsilon: number | null;
  h3Resolution: number | null;
  groups: ReleasedGroup[];
  totals: Record<string, number>;
}

export class AggregateService {
  readonly #o: AggregateServiceOptions;

  constructor(o: AggregateServiceOptions) {
    if (!(o.settings.k > 10)) throw new OdmError('ODM_ERR_CONFIG_INVALID', 'aggregates need k > 10');
    if (!(o.settings.h3Resolution >= 0 && o.settings.h3Resolution <= 6)) throw new OdmError('ODM_ERR_CONFIG_INVALID', 'aggregates need an H3 resolution of 6 or coarser');
    this.#o = o;
  }

  get settings(): AggregateSettings {
    return this.#o.settings;
  }

  /** Member vehicles of the dataset's union, at their current owner epoch. */
  async members(dataset: Dataset): Promise<MemberVehicle[]> {
    const { store } = this.#o;
    const out: MemberVehicle[] = [];
    for (const m of await this.#o.memberships.members(dataset.unionId)) {
      const v = this.#o.vehicle(m.vehicleId);
      if (!v || v.version !== m.version || v.owner.toLowerCase() !== m.owner) continue;
      out.push({ vehicleId: m.vehicleId, version: m.version, owner: m.owner, vinHash: null, make: v.make, model: v.model, year: v.year });
    }
    const ids = out.map((v) => v.vehicleId);
    const vins = new Map<string, string>();
    const optedOut = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      for (const r of await store.db.selectFrom('identity_vehicles').select(['token_id', 'vin_hash']).where('token_id', 'in', batch).execute()) vins.set(r.token_id, r.vin_hash.toLowerCase());
      if (dataset.usesLocation) {
        const rows = await store.db.selectFrom('privacy_settings').select(['vehicle_id', 'owner_version']).where('vehicle_id', 'in', batch).where('location_opt_out', '=', 1).execute();
        for (const r of rows) optedOut.add(`${r.vehicle_id}:${r.owner_version}`);
      }
    }
    return out
      .filter((v) => !optedOut.has(`${v.vehicleId}:${v.version}`))
      .map((v) => ({ ...v, vinHash: vins.get(v.vehicleId) ?? null }))
      .sort((a, b) => (BigInt(a.vehicleId) < BigInt(b.vehicleId) ? -1 : 1));
  }

  async release(datasetId: string, query: Record<string, unknown>, app: AppIdentity): Promise<ReleaseView> {
    const dataset = datasetById(datasetId);
    if (!dataset) throw new OdmError('ODM_ERR_DATASET_UNKNOWN', `no aggregate dataset ${datasetId}`, { details: { dataset: datasetId } });
    const { clock, settings, logger } = this.#o;
    const params = dataset.parse(query, clock.now());
    const log = this.#o.activity();
    if (!log) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the activity log is not running; aggregates are not released without it', { retryable: true });
    const members = await this.members(dataset);
    const ctx = { h3Resolution: settings.h3Resolution };
    const reader = this.#o.reader();
    const contributions: Contribution[] = [];
    let next = 0;
    const worker = async () => {
      while (next < members.length) {
        const v = members[next++]!;
        const raw = await dataset.fetch(reader, v, params);
        if (raw === undefined) continue;
        const vehicle = v.vinHash && !/^0x0+$/.test(v.vinHash) ? `vin:${v.vinHash}` : `id:${v.vehicleId}`;
        for (const part of dataset.extract(raw, v, params, ctx)) {
          contributions.push({ group: groupText(part.key), key: part.key, vehicle, vehicleId: v.vehicleId, owner: v.owner, measures: part.measures });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 8, Math.max(1, members.length)) }, worker));

    const epsilon = settings.epsilonFor(dataset.id);
    const result = anonymize(contributions, {
      k: settings.k, measures: dataset.measures, vehicleSensitivity: dataset.vehicleSensitivity,
      noise: epsilon ? { epsilon, secret: this.#o.noiseSecret } : undefined,
      label: `${dataset.id}|r${dataset.usesLocation ? settings.h3Resolution : '-'}`,
    });
    const at = clock.now();
    const publicParams = dataset.publicParams(params);
    const releaseId = await this.#o.releases.record({
      at, dataset: dataset.id, params: publicParams, app: { licenseId: app.licenseId, address: app.address }, k: settings.k, epsilon,
      groups: result.groups, totals: result.totals, suppressed: result.suppressed, contributors: result.contributors.size,
    });
    await recordActivity(log, releaseId, dataset.id, publicParams, app, members, result.contributors, at);
    logger.info({ releaseId, dataset: dataset.id, app: app.licenseId, released: result.groups.length, suppressed: result.suppressed.length, contributors: result.contributors.size }, 'aggregate released');
    return {
      releaseId, dataset: dataset.id, params: publicParams, at, k: settings.k, epsilon: epsilon ?? null,
      h3Resolution: dataset.usesLocation ? settings.h3Resolution : null, groups: result.groups, totals: result.totals,
    };
  }
}

/** One `aggregate` entry per contributing vehicle, in its owner's log, before the app gets the data. */
async function recordActivity(log: ActivityLog, releaseId: number, dataset: string, params: Record<string, unknown>, app: AppIdentity, members: MemberVehicle[], contributors: Map<string, number>, at: number): Promise<void> {
  if (contributors.size === 0) return;
  const owners = new Map(members.map((m) => [m.vehicleId, m.owner]));
  await log.appendMany([...contributors].map(([vehicleId, groups]) => ({
    owner: owners.get(vehicleId)!, kind: 'aggregate' as const, vehicleId, at,
    app: { licenseId: app.licenseId, address: app.address, name: app.name },
    detail: { releaseId, dataset, params, groups },
  })));
}
