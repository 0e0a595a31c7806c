// Table types: ingest and vault (src/ingest, src/vault, src/privacy)
import type { Generated } from 'kysely';

export interface VaultKeysTable {
  key_ref: string;
  kind: 'vehicle' | 'location' | 'owner';
  vehicle_id: string | null;
  owner_version: number | null;
  /** Lowercase 0x address of the owner whose epoch this key covers (vehicle keys only). */
  owner: string | null;
  bucket: number;
  bucket_version: number;
  wrapped: Buffer;
}

export interface IngestDedupTable {
  /** Day (epoch ms / 86 400 000) of the event's time. */
  day: number;
  /** Minute of the event time (4 bytes, big-endian) then 12 bytes of a keyed hash of (subject, time, type, source, id). */
  hash: Buffer;
}

export interface VaultLogTable {
  id: Generated<number>;
  epoch: number;
  n_events: number;
  ct: Buffer;
}

export interface VaultChunksTable {
  seg_id: string;
  vehicle_id: string;
  owner_version: number;
  chunk_start: number;
  n_events: number;
  n_samples: number;
  samples: Buffer;
  rollups: Buffer;
  events: Buffer;
}

export interface VaultLatestTable {
  vehicle_id: string;
  owner_version: number;
  ct: Buffer;
}

export interface VaultLocationChunksTable {
  seg_id: string;
  stream_id: string;
  chunk_tag: string;
  n_points: number;
  ct: Buffer;
}

export interface VaultLocationLatestTable {
  stream_id: string;
  ct: Buffer;
}

export interface PrivacySettingsTable {
  vehicle_id: string;
  owner_version: number;
  location_opt_out: number;
  /** Encrypted zone list, or null when the owner set none. */
  zones: Buffer | null;
  updated_at: number;
}

export interface OwnerRetentionTable {
  /** Lowercase 0x address. */
  owner: string;
  /** Days of telemetry kept (1–3650); no row means forever. */
  days: number;
  updated_at: number;
}
