// The bus message for one vehicle's events in one stored batch (subject `telemetry.<vehicleTokenId>`),
// for live streams, webhooks and rollups. Signals are materialised by name only when a subscriber
// reads them, so publishing costs nothing when nobody listens.
import type { LogEvent } from '../../vault/log-record.ts';

export interface TelemetrySignal {
  name: string;
  timestamp: number;
  value: number | string;
}

export interface TelemetryEvent {
  id: string;
  type: string;
  source: string;
  producer: string;
  time: number;
  signals: TelemetrySignal[];
  /** Location signals (privilege class location): coordinates and location scalars. */
  locations: Array<{ timestamp: number; latitude: number; longitude: number; redacted: boolean }>;
  locationSignals: TelemetrySignal[];
}

export function telemetrySubject(vehicleTokenId: string): string {
  return `telemetry.${vehicleTokenId}`;
}

function named(flat: ReadonlyArray<number | string>, names: readonly string[]): TelemetrySignal[] {
  const out: TelemetrySignal[] = [];
  for (let i = 0; i < flat.length; i += 3) out.push({ name: names[flat[i] as number]!, timestamp: flat[i + 1] as number, value: flat[i + 2]! });
  return out;
}

export class StoredTelemetry {
  readonly vehicleTokenId: string;
  readonly ownerVersion: number;
  readonly #raw: LogEvent[];
  readonly #names: readonly string[];
  #events: TelemetryEvent[] | undefined;

  constructor(vehicleTokenId: string, ownerVersion: number, raw: LogEvent[], names: readonly string[]) {
    this.vehicleTokenId = vehicleTokenId;
    this.ownerVersion = ownerVersion;
    this.#raw = raw;
    this.#names = names;
  }

  get events(): TelemetryEvent[] {
    this.#events ??= this.#raw.map((e) => ({
      id: e.id,
      type: e.type,
      source: e.source,
      producer: e.producer,
      time: e.time,
      signals: named(e.samples, this.#names),
      locations: e.points.map((p) => ({ timestamp: p.ts, latitude: p.lat, longitude: p.lng, redacted: p.redacted === true })),
      locationSignals: named(e.locationSamples, this.#names),
    }));
    return this.#events;
  }

  toJSON(): { vehicleTokenId: string; ownerVersion: number; events: TelemetryEvent[] } {
    return { vehicleTokenId: this.vehicleTokenId, ownerVersion: this.ownerVersion, events: this.events };
  }
}
