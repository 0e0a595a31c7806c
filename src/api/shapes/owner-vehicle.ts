// An owner's vehicle as the owner data routes return it: the summary (src/owners/data/owner-vehicles.ts)
// and the trips cut from its location points (src/owners/data/series-math.ts). Plain types, so the
// dashboard (web/) imports them too.
import type { ConnectionView } from './connection.ts';

export interface TripPoint {
  ts: number;
  lat: number;
  lng: number;
  redacted: boolean;
}

export interface Trip {
  start: number;
  end: number;
  /** Along the recorded points (redacted points included, so it is approximate near zones). */
  distanceKm: number;
  redactedPoints: number;
  points: TripPoint[];
}

export interface VehicleSummary {
  tokenId: string;
  make: string;
  model: string;
  year: number;
  mintedAt: number;
  connections: ConnectionView[];
  /** Newest value of each signal: name → [ts, value]. */
  latest: Record<string, [number, number | string]>;
  /** Newest time of any stored sample, epoch ms. */
  lastDataAt: number | null;
  location: TripPoint | null;
  privacy: { locationOptOut: boolean; zones: number };
}
