// What the pipeline answers for each event, and the wire shape transports send back.
import type { ErrorCode } from '../../core/errors.ts';
import type { SignalRejection } from '../normalize/normalize.ts';

export interface SignalCounts {
  stored: number;
  rejected: number;
  /** Locations moved to a coarse cell centre by a privacy zone. */
  redacted: number;
  /** Location signals dropped by the owner's opt-out or a drop zone. */
  withheld: number;
  /** Repeated (name, timestamp) pairs collapsed into one. */
  collapsed: number;
}

export interface EventResult {
  /** Position of the event in the request (0 for a single event). */
  index: number;
  id?: string;
  status: 'stored' | 'duplicate' | 'rejected';
  code?: ErrorCode;
  message?: string;
  signals?: SignalCounts;
  /** One entry per rejected signal; the event's other signals were stored. */
  errors?: SignalRejection[];
}

export interface IngestResponse {
  stored: number;
  duplicates: number;
  rejected: number;
  /** Every event with something to report: rejected, duplicate, or stored with signal errors or privacy changes. */
  results: EventResult[];
}

/** Whether a result needs to be reported (a clean store does not). */
export function noteworthy(r: EventResult): boolean {
  if (r.status !== 'stored') return true;
  const s = r.signals;
  return s !== undefined && (s.rejected > 0 || s.redacted > 0 || s.withheld > 0 || s.collapsed > 0);
}

export function summarize(results: readonly EventResult[]): IngestResponse {
  const out: IngestResponse = { stored: 0, duplicates: 0, rejected: 0, results: [] };
  for (const r of results) {
    if (r.status === 'stored') out.stored++;
    else if (r.status === 'duplicate') out.duplicates++;
    else out.rejected++;
    if (noteworthy(r)) out.results.push(r);
  }
  return out;
}
