// A compaction run's events grouped per vehicle epoch: hour chunks of samples and archived events, the
// latest value per signal, and the same for the epoch's pseudonymous location stream.
import type { ArchivedEvent } from './records.ts';
import type { LogEvent } from './log-record.ts';
import { chunkStartOf } from './pseudonyms.ts';
import type { Series } from './rollups.ts';

export interface VehicleGroup {
  vehicleId: string;
  version: number;
  owner: string;
  chunks: Map<number, { signals: Map<string, Series>; events: ArchivedEvent[]; samples: number }>;
  latest: Map<string, [number, number | string]>;
  streamId: string;
  locChunks: Map<number, { points: number[]; signals: Map<string, Series> }>;
  locPoint: [number, number, number, number] | null;
  locLatest: Map<string, [number, number | string]>;
  hasLocation: boolean;
}

function pushSample(map: Map<string, Series>, name: string, ts: number, v: number | string): void {
  let s = map.get(name);
  if (!s) map.set(name, (s = { ts: [], v: [] }));
  s.ts.push(ts);
  s.v.push(v);
}

function keepLatest(map: Map<string, [number, number | string]>, name: string, ts: number, v: number | string): void {
  const cur = map.get(name);
  if (!cur || ts >= cur[0]) map.set(name, [ts, v]);
}

export function groupByVehicleEpoch(events: LogEvent[], streamIdOf: (vehicleId: string, version: number) => string): Map<string, VehicleGroup> {
  const groups = new Map<string, VehicleGroup>();
  for (const e of events) {
    const k = `${e.vehicleId}:${e.version}`;
    let g = groups.get(k);
    if (!g) {
      g = {
        vehicleId: e.vehicleId, version: e.version, owner: e.owner, chunks: new Map(), latest: new Map(),
        streamId: streamIdOf(e.vehicleId, e.version), locChunks: new Map(), locPoint: null, locLatest: new Map(), hasLocation: false,
      };
      groups.set(k, g);
    }
    const chunkOf = (ts: number) => {
      const start = chunkStartOf(ts);
      let c = g!.chunks.get(start);
      if (!c) g!.chunks.set(start, (c = { signals: new Map(), events: [], samples: 0 }));
      return c;
    };
    chunkOf(e.time).events.push({
      id: e.id, source: e.source, type: e.type, time: e.time, producer: e.producer, signer: e.signer, dataversion: e.dataversion, extra: e.extra, rejected: e.rejected,
    });
    const s = e.samples;
    for (let i = 0; i < s.length; i += 3) {
      const name = s[i] as string, ts = s[i + 1] as number, v = s[i + 2]!;
      const c = chunkOf(ts);
      pushSample(c.signals, name, ts, v);
      c.samples++;
      keepLatest(g.latest, name, ts, v);
    }
    const locOf = (ts: number) => {
      const start = chunkStartOf(ts);
      let c = g!.locChunks.get(start);
      if (!c) g!.locChunks.set(start, (c = { points: [], signals: new Map() }));
      g!.hasLocation = true;
      return c;
    };
    for (const p of e.points) {
      locOf(p.ts).points.push(p.ts, p.lat, p.lng, p.redacted ? 1 : 0);
      if (!g.locPoint || p.ts >= g.locPoint[0]) g.locPoint = [p.ts, p.lat, p.lng, p.redacted ? 1 : 0];
    }
    const l = e.locationSamples;
    for (let i = 0; i < l.length; i += 3) {
      const name = l[i] as string, ts = l[i + 1] as number, v = l[i + 2]!;
      pushSample(locOf(ts).signals, name, ts, v);
      keepLatest(g.locLatest, name, ts, v);
    }
  }
  return groups;
}
