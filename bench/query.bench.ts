// `npm run bench -- query [--json]`: telemetry API latency on one vehicle with 30 days of 20-signal
// events every 10 s (259,200 events), over real HTTP to a node in a child process: latest values
// (latest_p50_ms, latest_p99_ms) and a 30-day hourly aggregation of AVG + MAX + MED of 3 signals
// (agg30d_p50_ms, agg30d_p99_ms; agg30d_cold_ms is the first run). Sections live in bench/query/.
import type { Reporter } from './report.ts';
import { startQueryBench } from './query/harness.ts';
import { QUERY_SECTIONS } from './query/sections.ts';
import { runLiveBench } from './query/live.ts';

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  reporter.progress('starting a node and loading 30 days of events (about a minute)');
  const bench = await startQueryBench();
  try {
    reporter.figure({ metric: 'load_events', value: bench.info.events, unit: 'events', note: `${Math.round(bench.info.loadMs / 1000)} s through the vault write path` });
    for (const section of QUERY_SECTIONS) await section(bench, reporter, args);
  } finally {
    await bench.stop();
  }
  // live_p50_ms / live_p99_ms: ingest → graphql-ws subscriber at 5,000 events/s, on a node of its own.
  await runLiveBench(reporter);
}
