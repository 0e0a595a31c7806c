// The bus carries stored batches to live streams, webhooks and rollups. Subjects use NATS syntax
// (`a.b.c`, `*` one token, `>` the rest) so the in-process and NATS adapters behave the same.
import type { HealthProbe } from '../core/health.ts';

export type BusHandler = (payload: unknown, subject: string) => void | Promise<void>;

export interface Bus {
  kind: 'memory' | 'nats';
  publish(subject: string, payload: unknown): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(pattern: string, handler: BusHandler): () => void;
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
