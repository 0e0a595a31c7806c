// What an indexer reports to /metrics, labelled by indexer name; no-ops without a registry.
import type { Metrics } from '../../core/metrics.ts';

export interface IndexerGauges {
  position(n: bigint): void;
  head(n: bigint): void;
  events(n: number): void;
  reorgs(): void;
}

export function indexerGauges(metrics: Metrics | undefined, name: string): IndexerGauges {
  if (!metrics) return { position() {}, head() {}, events() {}, reorgs() {} };
  const labels = { indexer: name };
  const position = metrics.gauge('opendimo_chain_indexer_block', 'Last block applied to the mirror', ['indexer']);
  const head = metrics.gauge('opendimo_chain_indexer_head_block', 'Latest block the indexer saw', ['indexer']);
  const events = metrics.counter('opendimo_chain_indexer_events_total', 'Contract events applied to the mirror', ['indexer']);
  const reorgs = metrics.counter('opendimo_chain_indexer_reorgs_total', 'Reorgs undone in the mirror', ['indexer']);
  return {
    position: (n) => position.set(labels, Number(n)),
    head: (n) => head.set(labels, Number(n)),
    events: (n) => events.inc(labels, n),
    reorgs: () => reorgs.inc(labels),
  };
}
