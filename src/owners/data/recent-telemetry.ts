// What arrived in the last minutes, in memory, so an owner sees data the moment it is stored rather
// than after the vault's next compaction (every 30 s by default). Fed from the bus (`telemetry.>`):
// the latest value of every signal for every vehicle, and for vehicles an owner looked at recently a
// bounded tail of samples and location points. Nothing here is written anywhere.
import type { Bus } from '../../bus/bus.ts';
import type { Clock } from '../../core/clock.ts';
import type { StoredTelemetry } from '../../ingest/pipeline/stored-telemetry.ts';

export interface RecentPoint {
  ts: number;
  lat: number;
  lng: number;
  redacted: boolean;
}

interface VehicleTail {
  version: number;
  latest: Map<string, [number, number | string]>;
  point: RecentPoint | undefined;
  /** Stored-at time of the newest batch (node clock). */
  receivedAt: number;
  samples: Array<{ name: string; ts: number; v: number | string }>;
  points: RecentPoint[];
  watchedUntil: number;
}

const WATCH_MS = 15 * 60_000;
const MAX_SAMPLES = 20_000;
const MAX_POINTS = 2_000;

export class RecentTelemetry {
  readonly #clock: Clock;
  readonly #tails = new Map<string, VehicleTail>();
  readonly #unsubscribe: () => void;

  constructor(bus: Bus, clock: Clock) {
    this.#clock = clock;
    this.#unsubscribe = bus.subscribe('telemetry.>', (payload) => this.#take(payload as StoredTelemetry));
  }

  #take(batch: StoredTelemetry): void {
    if (!batch || typeof batch.vehicleTokenId !== 'string') return;
    let tail = this.#tails.get(batch.vehicleTokenId);
    if (!tail || tail.version !== batch.ownerVersion) {
      tail = { version: batch.ownerVersion, latest: new Map(), point: undefined, receivedAt: 0, samples: [], points: [], watchedUntil: tail?.watchedUntil ?? 0 };
      this.#tails.set(batch.vehicleTokenId, tail);
    }
    const now = this.#clock.now();
    tail.receivedAt = now;
    const keep = tail.watchedUntil > now;
    for (const e of batch.events) {
      for (const s of [...e.signals, ...e.locationSignals]) {
        const prev = tail.latest.get(s.name);
        if (!prev || prev[0] <= s.timestamp) tail.latest.set(s.name, [s.timestamp, s.value]);
        if (keep) tail.samples.push({ name: s.name, ts: s.timestamp, v: s.value });
      }
      for (const l of e.locations) {
        const p = { ts: l.timestamp, lat: l.latitude, lng: l.longitude, redacted: l.redacted };
        if (!tail.point || tail.point.ts <= p.ts) tail.point = p;
        if (keep) tail.points.push(p);
      }
    }
    if (tail.samples.length > MAX_SAMPLES) tail.samples.splice(0, tail.samples.length - MAX_SAMPLES);
    if (tail.points.length > MAX_POINTS) tail.points.splice(0, tail.points.length - MAX_POINTS);
  }

  /** Starts (or extends) keeping samples and points of this vehicle. */
  watch(vehicleId: string, version: number): void {
    const until = this.#clock.now() + WATCH_MS;
    const tail = this.#tails.get(vehicleId);
    if (tail && tail.version === version) {
      tail.watchedUntil = until;
      return;
    }
    this.#tails.set(vehicleId, { version, latest: new Map(), point: undefined, receivedAt: 0, samples: [], points: [], watchedUntil: until });
  }

  latest(vehicleId: string, version: number): { signals: Record<string, [number, number | string]>; point?: RecentPoint; receivedAt: number } | undefined {
    const tail = this.#tails.get(vehicleId);
    if (!tail || tail.version !== version || tail.receivedAt === 0) return undefined;
    return { signals: Object.fromEntries(tail.latest), ...(tail.point ? { point: tail.point } : {}), receivedAt: tail.receivedAt };
  }

  samples(vehicleId: string, version: number, names: ReadonlySet<string>, from: number, to: number): Map<string, Array<[number, number | string]>> {
    const out = new Map<string, Array<[number, number | string]>>();
    const tail = this.#tails.get(vehicleId);
    if (!tail || tail.version !== version) return out;
    for (const s of tail.samples) {
      if (!names.has(s.name) || s.ts < from || s.ts > to) continue;
      let list = out.get(s.name);
      if (!list) out.set(s.name, (list = []));
      list.push([s.ts, s.v]);
    }
    return out;
  }

  points(vehicleId: string, version: number, from: number, to: number): RecentPoint[] {
    const tail = this.#tails.get(vehicleId);
    if (!tail || tail.version !== version) return [];
    return tail.points.filter((p) => p.ts >= from && p.ts <= to);
  }

  /** Forgets a vehicle (its data was deleted). */
  forget(vehicleId: string): void {
    this.#tails.delete(vehicleId);
  }

  stop(): void {
    this.#unsubscribe();
    this.#tails.clear();
  }
}
