// The owner activity log's interface, which other modules code against: every collection, access,
// stream, webhook delivery, grant, revoke, export and delete concerning an owner is appended here, and
// the owner reads it back through /v1/activity. The implementation is ActivityJournal
// (activity-journal.ts): per owner, append-only, hash-chained, encrypted under the owner's key.
import { OdmError } from '../core/errors.ts';
import type { NodeServices } from '../node/start-node.ts';

export type ActivityKind =
  | 'collect' | 'read' | 'stream' | 'webhook' | 'grant' | 'revoke' | 'export' | 'delete' | 'command'
  | 'connect' | 'disconnect' | 'pause' | 'resume' | 'aggregate' | 'privacy';

export const ACTIVITY_KINDS: readonly ActivityKind[] = [
  'collect', 'read', 'stream', 'webhook', 'grant', 'revoke', 'export', 'delete', 'command',
  'connect', 'disconnect', 'pause', 'resume', 'aggregate', 'privacy',
];

export interface ActivityApp {
  licenseId?: string;
  address?: string;
  name?: string;
}

export interface ActivityEntryInput {
  /** The owner's 0x address, any case. */
  owner: string;
  kind: ActivityKind;
  vehicleId?: bigint | string;
  app?: ActivityApp;
  privileges?: number[];
  /** Anything JSON can carry; never secrets, VINs or exact coordinates (the owner reads it verbatim). */
  detail?: Record<string, unknown>;
  /** Epoch ms; default clock.now(). */
  at?: number;
}

export interface ActivityEntry {
  /** 1, 2, 3… per owner. */
  seq: number;
  /** Epoch ms. */
  at: number;
  kind: ActivityKind;
  /** Decimal token id. */
  vehicleId?: string;
  app?: ActivityApp;
  privileges?: number[];
  detail?: Record<string, unknown>;
  /** The row does not open with the owner's key (it was altered); only seq, at and kind are shown. */
  unreadable?: true;
}

export interface ActivityQuery {
  /** Only these kinds. */
  kinds?: ActivityKind[];
  /** Only entries about this vehicle. */
  vehicleId?: bigint | string;
  /** Only entries of this app: a license id (decimal) or a 0x grantee address. */
  app?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  /** 1–500; default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Newest first (default) or oldest first. */
  order?: 'desc' | 'asc';
}

export interface ActivityVerification {
  ok: boolean;
  /** Entries stored for the owner. */
  entries: number;
  /** Seq of the first entry whose integrity cannot be confirmed (altered, missing or out of place). */
  brokenAt?: number;
}

export interface ActivityLog {
  /** Resolves once the entry is durable (one batched write; appends within a few ms share it). */
  append(entry: ActivityEntryInput): Promise<void>;
  appendMany(entries: ActivityEntryInput[]): Promise<void>;
  list(owner: string, query: ActivityQuery): Promise<{ entries: ActivityEntry[]; nextCursor?: string }>;
  verify(owner: string): Promise<ActivityVerification>;
  /** Destroys the owner's key and every entry (account deletion); a later append starts a new log. */
  shred(owner: string): Promise<void>;
}

const logs = new WeakMap<NodeServices, ActivityLog>();

/** Set by the activity capability once it has started. */
export function setActivityLog(services: NodeServices, log: ActivityLog | undefined): void {
  if (log) logs.set(services, log);
  else logs.delete(services);
}

/** The node's activity log; ODM_ERR_UNAVAILABLE until the activity capability has started. */
export function getActivityLog(services: NodeServices): ActivityLog {
  const log = logs.get(services);
  if (!log) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the activity log is starting; try again in a moment', { retryable: true });
  return log;
}
