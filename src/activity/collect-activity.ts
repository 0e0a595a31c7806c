// Records data collection in the owner's log without one entry per event: stored telemetry batches
// (bus subject `telemetry.<vehicleTokenId>`) are counted per vehicle, and each vehicle gets one
// `collect` entry per minute in which data arrived, with the counts and the span of event times.
import type { Bus } from '../bus/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { StoredTelemetry } from '../ingest/pipeline/stored-telemetry.ts';
import type { ActivityLog } from './activity-log.ts';

const MINUTE = 60_000;

export interface CollectActivityOptions {
  bus: Bus;
  clock: Clock;
  logger: Logger;
  log: Pick<ActivityLog, 'append'>;
  /** The vehicle's owner (lowercase) if `ownerVersion` is still its current owner epoch. */
  ownerOf(vehicleId: string, ownerVersion: number): string | undefined;
  /** How often minutes that have ended are written; default 1 s. */
  tickMs?: number;
}

interface Tally {
  minute: number;
  version: number;
  batches: number;
  events: number;
  signals: number;
  locations: number;
  from: number;
  to: number;
}

export interface CollectActivity {
  /** Writes every minute that has ended (all of them with `all`); resolves when they are appended. */
  flush(all?: boolean): Promise<void>;
  stop(): Promise<void>;
}

export function startCollectActivity(o: CollectActivityOptions): CollectActivity {
  const tallies = new Map<string, Tally>();
  const writes = new Set<Promise<void>>();

  const emit = (vehicleId: string, t: Tally): void => {
    let owner: string | undefined;
    try {
      owner = o.ownerOf(vehicleId, t.version);
    } catch (err) {
      o.logger.warn({ err }, 'cannot tell whose data was collected; not recorded');
    }
    if (!owner) return; // transferred since: the data belongs to an earlier owner epoch
    const write = o.log
      .append({
        owner, kind: 'collect', vehicleId, at: t.minute * MINUTE,
        detail: { batches: t.batches, events: t.events, signals: t.signals, locations: t.locations, from: t.from, to: t.to },
      })
      .catch((err: unknown) => o.logger.error({ err }, 'could not record data collection in the activity log'))
      .finally(() => writes.delete(write));
    writes.add(write);
  };

  const flush = async (all = false): Promise<void> => {
    const current = Math.floor(o.clock.now() / MINUTE);
    for (const [vehicleId, t] of tallies) {
      if (!all && t.minute >= current) continue;
      tallies.delete(vehicleId);
      emit(vehicleId, t);
    }
    await Promise.all([...writes]);
  };

  const unsubscribe = o.bus.subscribe('telemetry.*', (payload) => {
    const batch = payload as StoredTelemetry;
    const vehicleId = String(batch.vehicleTokenId);
    const minute = Math.floor(o.clock.now() / MINUTE);
    let t = tallies.get(vehicleId);
    if (t && (t.minute !== minute || t.version !== batch.ownerVersion)) {
      tallies.delete(vehicleId);
      emit(vehicleId, t);
      t = undefined;
    }
    if (!t) {
      t = { minute, version: batch.ownerVersion, batches: 0, events: 0, signals: 0, locations: 0, from: Number.MAX_SAFE_INTEGER, to: 0 };
      tallies.set(vehicleId, t);
    }
    t.batches++;
    for (const e of batch.events) {
      t.events++;
      t.signals += e.signals.length + e.locationSignals.length;
      t.locations += e.locations.length;
      if (e.time < t.from) t.from = e.time;
      if (e.time > t.to) t.to = e.time;
    }
  });

  const timer = setInterval(() => void flush(), o.tickMs ?? 1000);
  timer.unref();

  return {
    flush,
    async stop() {
      unsubscribe();
      clearInterval(timer);
      await flush(true);
    },
  };
}
