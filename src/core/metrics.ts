// Prometheus metrics on a registry owned by the node instance (not prom-client's global one), so two
// nodes in one test process never share counters.
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

export interface Metrics {
  registry: Registry;
  counter(name: string, help: string, labelNames?: string[]): Counter<string>;
  gauge(name: string, help: string, labelNames?: string[]): Gauge<string>;
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): Histogram<string>;
  render(): Promise<string>;
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'opendimo_' });
  // Metrics are created once per name; a second request returns the same instrument.
  const made = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();
  function once<T extends Counter<string> | Gauge<string> | Histogram<string>>(name: string, make: () => T): T {
    const existing = made.get(name);
    if (existing) return existing as T;
    const created = make();
    made.set(name, created);
    return created;
  }
  return {
    registry,
    counter: (name, help, labelNames = []) =>
      once(name, () => new Counter({ name, help, labelNames, registers: [registry] })),
    gauge: (name, help, labelNames = []) =>
      once(name, () => new Gauge({ name, help, labelNames, registers: [registry] })),
    histogram: (name, help, labelNames = [], buckets) =>
      once(name, () => new Histogram({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) })),
    render: () => registry.metrics(),
  };
}
