// The query bench's read figures: signalsLatest, and a 30-day aggregation (interval 1h, AVG + MAX + MED
// of 3 signals), over real HTTP. The aggregation's first (cold) run decrypts the month's chunks and is
// reported apart; the timed runs read the telemetry view's in-memory cache of decrypted chunks. The
// *_server_* figures are the node's own time per request (its Server-Timing header): on a shared
// machine the client-side figures also carry the scheduling of both processes.
import type { Reporter } from '../report.ts';
import { percentile, round, timeRuns, type QueryBench } from './harness.ts';

export async function latestAndAggregation(bench: QueryBench, reporter: Reporter): Promise<void> {
  const { info } = bench;
  const latest = `{ signalsLatest(tokenId: ${info.vehicleId}) { lastSeen speed { timestamp value } powertrainTransmissionTravelledDistance { timestamp value } powertrainTractionBatteryStateOfChargeCurrent { timestamp value } exteriorAirTemperature { timestamp value } currentLocationCoordinates { timestamp value { latitude longitude } } } }`;
  reporter.progress('timing signalsLatest');
  const ls: number[] = [];
  const l = await timeRuns(2000, 200, async () => ls.push((await bench.graphql(latest)).serverMs));
  reporter.figure({ metric: 'latest_p50_ms', value: round(percentile(l, 50)), unit: 'ms' });
  reporter.figure({ metric: 'latest_p99_ms', value: round(percentile(l, 99)), unit: 'ms', note: 'target ≤ 5 ms; 2,000 sequential requests' });
  reporter.figure({ metric: 'latest_server_p99_ms', value: round(percentile(ls.slice(-2000), 99)), unit: 'ms', note: 'inside the node' });

  const fields = ['speed', 'powertrainCombustionEngineSpeed', 'powertrainFuelSystemRelativeLevel']
    .map((s, i) => `a${i}: ${s}(agg: AVG) x${i}: ${s}(agg: MAX) m${i}: ${s}(agg: MED)`)
    .join(' ');
  const agg = `query($from: Time!, $to: Time!) { signals(tokenId: ${info.vehicleId}, interval: "1h", from: $from, to: $to) { timestamp ${fields} } }`;
  const vars = { from: new Date(info.from).toISOString(), to: new Date(info.to).toISOString() };
  reporter.progress('first 30-day aggregation (decrypts the month)');
  const cold = performance.now();
  const first = await bench.graphql(agg, vars);
  reporter.figure({ metric: 'agg30d_cold_ms', value: round(performance.now() - cold), unit: 'ms', note: `${first.data.signals.length} buckets; decrypts and caches the chunks` });
  reporter.progress('timing 30-day aggregations');
  const as: number[] = [];
  const a = await timeRuns(300, 5, async () => as.push((await bench.graphql(agg, vars)).serverMs));
  reporter.figure({ metric: 'agg30d_p50_ms', value: round(percentile(a, 50)), unit: 'ms' });
  reporter.figure({ metric: 'agg30d_p99_ms', value: round(percentile(a, 99)), unit: 'ms', note: 'target ≤ 100 ms; 720 buckets × AVG+MAX+MED of 3 signals; 300 sequential requests' });
  reporter.figure({ metric: 'agg30d_server_p99_ms', value: round(percentile(as.slice(-300), 99)), unit: 'ms', note: 'inside the node' });
}
