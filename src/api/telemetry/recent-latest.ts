// The newest values of vehicles whose data is stored but not yet compacted into the vault's latest
// record (compaction runs every few seconds): kept from the bus's stored-telemetry messages, so
// signalsLatest answers with what was just acknowledged. Bounded (least recently updated vehicles go
// first); a deleted vehicle's values are dropped with its data.
type Value = [number, number | string];

export interface RecentValues {
  signals: Map<string, Value>;
  locationSignals: Map<string, Value>;
  /** [ts, lat, lng] */
  point: [number, number, number] | undefined;
}

interface BusSignal {
  name: string;
  timestamp: number;
  value: number | string;
}

interface BusEvent {
  signals: BusSignal[];
  locations: Array<{ timestamp: number; latitude: number; longitude: number }>;
  locationSignals: BusSignal[];
}

export class RecentLatest {
  readonly #max: number;
  readonly #byVehicle = new Map<string, RecentValues>();

  constructor(maxVehicles = 50_000) {
    this.#max = maxVehicles;
  }

  /** A `telemetry.<vehicleId>` bus message: {vehicleTokenId, ownerVersion, events}. */
  observe(payload: unknown): void {
    const p = payload as { vehicleTokenId?: unknown; ownerVersion?: unknown; events?: unknown };
    if (typeof p?.vehicleTokenId !== 'string' || typeof p.ownerVersion !== 'number') return;
    const events = p.events as BusEvent[] | undefined;
    if (!Array.isArray(events)) return;
    const key = `${p.vehicleTokenId}/${p.ownerVersion}`;
    let r = this.#byVehicle.get(key);
    if (r) this.#byVehicle.delete(key);
    else r = { signals: new Map(), locationSignals: new Map(), point: undefined };
    this.#byVehicle.set(key, r);
    if (this.#byVehicle.size > this.#max) this.#byVehicle.delete(this.#byVehicle.keys().next().value as string);
    for (const e of events) {
      for (const s of e.signals ?? []) keep(r.signals, s);
      for (const s of e.locationSignals ?? []) keep(r.locationSignals, s);
      for (const l of e.locations ?? []) if (!r.point || l.timestamp >= r.point[0]) r.point = [l.timestamp, l.latitude, l.longitude];
    }
  }

  get(vehicleId: string, version: number): RecentValues | undefined {
    return this.#byVehicle.get(`${vehicleId}/${version}`);
  }

  forget(vehicleId: string): void {
    for (const key of [...this.#byVehicle.keys()]) if (key.startsWith(`${vehicleId}/`)) this.#byVehicle.delete(key);
  }
}

function keep(map: Map<string, Value>, s: BusSignal): void {
  if (typeof s?.name !== 'string' || typeof s.timestamp !== 'number') return;
  const cur = map.get(s.name);
  if (!cur || s.timestamp >= cur[0]) map.set(s.name, [s.timestamp, s.value]);
}
