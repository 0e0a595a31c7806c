// The bus carries stored batches to live streams, webhooks and rollups. Subjects use NATS syntax
// (`a.b.c`, `*` one token, `>` the rest) so the in-process and NATS adapters behave the same.
import type { HealthProbe } from '../core/health.ts';

export type BusHandler = (payload: unknown, subject: string) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * A queue group: each message goes to one subscriber of the group across every process (webhooks fire
   * once per event in a cluster). Without a group every subscriber in every process gets every message
   * (live streams).
   */
  group?: string;
}

export interface Bus {
  kind: 'memory' | 'nats';
  /**
   * Resolves once the message is delivered to the bus or, when the bus is down, kept to be delivered
   * when it returns; the publisher never loses a stored batch to a bus outage.
   */
  publish(subject: string, payload: unknown): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(pattern: string, handler: BusHandler, options?: SubscribeOptions): () => void;
  probe: HealthProbe;
  close(): Promise<void>;
}

export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
