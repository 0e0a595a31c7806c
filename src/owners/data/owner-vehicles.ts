// What the owner's dashboard shows about their vehicles, read from the vault (decrypted for the owner
// only), topped up with what arrived since the last compaction (recent-telemetry.ts):
//   list      every vehicle the owner holds on chain, with its connection, newest values and position;
//   signals   chosen signals over a time range, thinned for a chart;
//   trips     location points over a time range, cut into trips, redacted points marked.
import { OdmError } from '../../core/errors.ts';
import { getIngestService } from '../../ingest/ingest-capability.ts';
import { getConnectors } from '../../connectors/connectors-context.ts';
import { OwnerControl, type ConnectionView } from '../../connectors/control/owner-control.ts';
import type { VehicleSummary } from '../../api/shapes/owner-vehicle.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { ownedVehicle, ownedVehicleIds } from './owned-vehicle.ts';
import type { RecentTelemetry } from './recent-telemetry.ts';
import { mergeSamples, thin, toTrips, type Sample, type TripPoint } from './series-math.ts';

export type { VehicleSummary };

const DAY = 86_400_000;
const MAX_RANGE = 31 * DAY;

/** The owner's connections, or none when the connectors are not running on this node. */
export async function connectionsOf(services: NodeServices, owner: string): Promise<ConnectionView[]> {
  try {
    return await new OwnerControl(getConnectors(services)).list(owner);
  } catch (err) {
    if ((err as OdmError).code === 'ODM_ERR_UNAVAILABLE') return [];
    throw err;
  }
}

export class OwnerVehicles {
  readonly #services: NodeServices;
  readonly #recent: RecentTelemetry;

  constructor(services: NodeServices, recent: RecentTelemetry) {
    this.#services = services;
    this.#recent = recent;
  }

  async list(owner: string): Promise<{ vehicles: VehicleSummary[]; pending: ConnectionView[] }> {
    const connections = await connectionsOf(this.#services, owner);
    const vehicles: VehicleSummary[] = [];
    for (const id of ownedVehicleIds(this.#services, owner)) vehicles.push(await this.summary(owner, id, connections));
    const pending = connections.filter((c) => c.vehicleId === null || !vehicles.some((v) => v.tokenId === c.vehicleId));
    return { vehicles, pending };
  }

  async summary(owner: string, tokenId: bigint, connections?: ConnectionView[]): Promise<VehicleSummary> {
    const v = ownedVehicle(this.#services, owner, tokenId);
    const id = String(tokenId);
    const ingest = getIngestService(this.#services);
    const [stored, storedLocation, privacy] = await Promise.all([
      ingest.vault.reader.latest(id, v.version),
      ingest.vault.reader.latestLocation(id, v.version),
      ingest.privacy.get(id, v.version),
    ]);
    const recent = this.#recent.latest(id, v.version);
    const latest: Record<string, [number, number | string]> = { ...stored?.signals, ...storedLocation?.samples };
    for (const [name, pair] of Object.entries(recent?.signals ?? {})) if (!latest[name] || latest[name]![0] <= pair[0]) latest[name] = pair;
    const p = storedLocation?.point;
    let location: TripPoint | null = p ? { ts: p[0], lat: p[1], lng: p[2], redacted: p[3] === 1 } : null;
    if (recent?.point && (!location || recent.point.ts >= location.ts)) location = recent.point;
    const times = Object.values(latest).map((x) => x[0]);
    const mine = (connections ?? (await connectionsOf(this.#services, owner))).filter((c) => c.vehicleId === id);
    return {
      tokenId: id, make: v.make, model: v.model, year: v.year, mintedAt: v.mintedAt, connections: mine, latest,
      lastDataAt: times.length ? Math.max(...times) : location?.ts ?? null, location,
      privacy: { locationOptOut: privacy.locationOptOut, zones: privacy.zones.length },
    };
  }

  /** [from, to] from the query, defaulting to the 24 h before the vehicle's newest data. */
  async range(owner: string, tokenId: bigint, from?: number, to?: number): Promise<{ from: number; to: number }> {
    if (from !== undefined && to !== undefined) {
      if (!(to > from) || to - from > MAX_RANGE) throw new OdmError('ODM_ERR_VALIDATION', 'to must be after from, and the range at most 31 days');
      return { from, to };
    }
    const end = to ?? (await this.summary(owner, tokenId)).lastDataAt ?? this.#services.clock.now();
    return { from: from ?? end - DAY, to: end + 1 };
  }

  async signals(owner: string, tokenId: bigint, names: string[], q: { from?: number; to?: number; points?: number }) {
    const v = ownedVehicle(this.#services, owner, tokenId);
    const id = String(tokenId);
    this.#recent.watch(id, v.version);
    const { from, to } = await this.range(owner, tokenId, q.from, q.to);
    const chunks = await getIngestService(this.#services).vault.reader.chunks(id, v.version, from, to);
    const recent = this.#recent.samples(id, v.version, new Set(names), from, to);
    const series: Record<string, ReturnType<typeof thin>> = {};
    for (const name of names) {
      const stored: Sample[] = [];
      for (const c of chunks) {
        const s = c.samples[name];
        if (!s) continue;
        for (let i = 0; i < s.ts.length; i++) if (s.ts[i]! >= from && s.ts[i]! <= to) stored.push([s.ts[i]!, s.v[i]!]);
      }
      series[name] = thin(mergeSamples(stored, recent.get(name) ?? []), Math.min(2000, Math.max(10, q.points ?? 500)));
    }
    return { from, to, series };
  }

  async trips(owner: string, tokenId: bigint, q: { from?: number; to?: number }) {
    const v = ownedVehicle(this.#services, owner, tokenId);
    const id = String(tokenId);
    this.#recent.watch(id, v.version);
    const { from, to } = await this.range(owner, tokenId, q.from, q.to);
    const stored = await getIngestService(this.#services).vault.reader.locations(id, v.version, from, to);
    const byTs = new Map<number, TripPoint>();
    for (const p of stored.points) byTs.set(p.ts, p);
    for (const p of this.#recent.points(id, v.version, from, to)) byTs.set(p.ts, p);
    const points = [...byTs.values()].sort((a, b) => a.ts - b.ts);
    const trips = toTrips(points);
    return { from, to, points: points.length, redacted: points.filter((p) => p.redacted).length, trips };
  }
}
