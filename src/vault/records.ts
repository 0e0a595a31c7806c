// Shapes of the vault's encrypted records and the associated data that binds each to its row.
import type { Rollup, Series } from './rollups.ts';

/** An event as the archive keeps it for the owner's export (signals are in the samples). */
export interface ArchivedEvent {
  id: string;
  source: string;
  type: string;
  time: number;
  producer: string;
  signer: string;
  dataversion: string | null;
  /** Data of non-status events as sent; {vin, events} of status events. */
  extra: unknown;
  rejected: number;
}

export type SamplesRecord = Record<string, Series>;
export type RollupsRecord = Record<string, Rollup>;

export interface LatestRecord {
  /** signal → [ts, value] */
  signals: Record<string, [number, number | string]>;
}

export interface LocationChunkRecord {
  /** Flat [ts, lat, lng, redacted(0|1), …], sorted by ts. */
  points: number[];
  samples: SamplesRecord;
}

export interface LocationLatestRecord {
  point: [number, number, number, number] | null;
  samples: Record<string, [number, number | string]>;
}

export const aad = {
  chunk: (segId: string, vehicleId: string, version: number, chunkStart: number, part: 'samples' | 'rollups' | 'events') =>
    `vault_chunks/${segId}/${vehicleId}/${version}/${chunkStart}/${part}`,
  latest: (vehicleId: string, version: number) => `vault_latest/${vehicleId}/${version}`,
  locationChunk: (segId: string, streamId: string, chunkTag: string) => `vault_location_chunks/${segId}/${streamId}/${chunkTag}`,
  locationLatest: (streamId: string) => `vault_location_latest/${streamId}`,
  privacy: (vehicleId: string, version: number) => `privacy_settings/${vehicleId}/${version}`,
};
