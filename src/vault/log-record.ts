// The plaintext of one append-log row: the events of one group commit, as compact JSON arrays. Samples
// refer to signals by position in `names`, which travels with the batch so a catalogue change between
// append and compaction cannot remap them, and carry their time relative to the event's (usually 0:
// a 13-digit timestamp per sample would be a fifth of the row).
import type { LocationPoint } from '../ingest/normalize/normalize.ts';

export interface LogEvent {
  vehicleId: string;
  /** Owner epoch (the vehicle's transfer count) the event belongs to. */
  version: number;
  /** Lowercase owner address at ingest. */
  owner: string;
  id: string;
  source: string;
  type: string;
  time: number;
  producer: string;
  /** Recovered signer address (lowercase). */
  signer: string;
  dataversion: string | null;
  /** Flat [signal, ts, value, …] of non-location samples. */
  samples: Array<number | string>;
  /** Flat [signal, ts, value, …] of location-class scalars. */
  locationSamples: Array<number | string>;
  points: LocationPoint[];
  /** What the archive keeps besides signals: the data of non-status events, {vin, events} of status ones. */
  extra: unknown;
  /** Signals rejected at ingest (the reasons went back to the sender). */
  rejected: number;
}

type Row = [string, number, string, string, string, string, number, string, string, string | null, Array<number | string>, Array<number | string>, number[], unknown, number];

export function encodeBatch(events: readonly LogEvent[], names: readonly string[]): string {
  const rows: Row[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) rows[i] = row(events[i]!);
  return JSON.stringify({ f: 1, names, e: rows });
}

/**
 * The same bytes as Buffer.from(encodeBatch(events, names)), written row by row into `scratch` (grown
 * as needed; the result is a view of it). One string of a whole batch would be megabytes, allocated
 * straight into the old generation of the heap; a row at a time stays small and short-lived.
 */
export function encodeBatchInto(events: readonly LogEvent[], names: readonly string[], scratch: { buf: Buffer }): Buffer {
  let at = 0;
  const put = (text: string) => {
    const need = at + text.length * 3;
    if (need > scratch.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, scratch.buf.length * 2));
      scratch.buf.copy(grown, 0, 0, at);
      scratch.buf = grown;
    }
    at += scratch.buf.write(text, at);
  };
  put(`{"f":1,"names":${JSON.stringify(names)},"e":[`);
  for (let i = 0; i < events.length; i++) put(i === 0 ? JSON.stringify(row(events[i]!)) : ',' + JSON.stringify(row(events[i]!)));
  put(']}');
  return scratch.buf.subarray(0, at);
}

function row(e: LogEvent): Row {
  let points: number[] = [];
  if (e.points.length > 0) {
    points = new Array(e.points.length * 4);
    for (let p = 0; p < e.points.length; p++) {
      const pt = e.points[p]!;
      points[4 * p] = pt.ts;
      points[4 * p + 1] = pt.lat;
      points[4 * p + 2] = pt.lng;
      points[4 * p + 3] = pt.redacted ? 1 : 0;
    }
  }
  return [e.vehicleId, e.version, e.owner, e.id, e.source, e.type, e.time, e.producer, e.signer, e.dataversion, relative(e.samples, e.time), relative(e.locationSamples, e.time), points, e.extra ?? null, e.rejected];
}

function relative(flat: Array<number | string>, base: number): Array<number | string> {
  const out = flat.slice();
  for (let i = 1; i < out.length; i += 3) out[i] = (out[i] as number) - base;
  return out;
}

function absolute(flat: Array<number | string>, base: number): Array<number | string> {
  for (let i = 1; i < flat.length; i += 3) flat[i] = (flat[i] as number) + base;
  return flat;
}

export function decodeBatch(text: string): { names: string[]; events: LogEvent[] } {
  const doc = JSON.parse(text) as { f: number; names: string[]; e: Row[] };
  if (doc.f !== 1) throw new Error(`unknown log record format ${doc.f}`);
  const events = doc.e.map((r): LogEvent => {
    const flat = r[12];
    const points: LocationPoint[] = [];
    for (let p = 0; p < flat.length; p += 4) {
      points.push(flat[p + 3] ? { ts: flat[p]!, lat: flat[p + 1]!, lng: flat[p + 2]!, redacted: true } : { ts: flat[p]!, lat: flat[p + 1]!, lng: flat[p + 2]! });
    }
    return {
      vehicleId: r[0], version: r[1], owner: r[2], id: r[3], source: r[4], type: r[5], time: r[6], producer: r[7], signer: r[8],
      dataversion: r[9], samples: absolute(r[10], r[6]), locationSamples: absolute(r[11], r[6]), points, extra: r[13], rejected: r[14],
    };
  });
  return { names: doc.names, events };
}
