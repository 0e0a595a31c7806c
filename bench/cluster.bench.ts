// `npm run bench -- cluster [--json]`: how ingest scales out. A harness cluster (PostgreSQL, NATS,
// Mosquitto, anvil; src/cluster/harness) with 2 ingest processes and the indexer; devices minted and
// paired on its chain; events signed before measuring. The same HTTP load (batches on keep-alive
// connections) goes first to one ingest process, then to both; a batch counts once answered 200 with
// every event stored (durable in PostgreSQL). scale_ratio = 2-process rate / 1-process rate; the load
// generator, PostgreSQL and the processes share this machine's cores, so report the core count with it.
import { Agent } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { startCluster } from '../src/cluster/harness/start-cluster.ts';
import { mintFleet, waitFleetAccepted, type Fleet } from '../test/cluster/support/fleet.ts';
import { postBatch } from './ingest/post-batch.ts';
import type { Reporter } from './report.ts';

const DEVICES = 40;
const BATCH = 200;
const CONNECTIONS_PER_PROCESS = 4;
const WARMUP_MS = 3_000;
const PHASE_MS = 10_000;
// Distinct signed batches, each sent again under fresh ids as often as a phase needs.
const SIGNED_BATCHES = 100;

// Devices sign the data bytes only, and the node deduplicates on (subject, time, type, source, id), so a
// signed batch is sent again under fresh ids: the phases are bounded by time, not by signing.
function signTemplates(fleet: Fleet, count: number): string[] {
  const time = new Date(Date.now() - 30_000).toISOString();
  return Array.from({ length: count }, (_, b) =>
    `[${Array.from({ length: BATCH }, (_, k) => fleet.event(`@@-${b * BATCH + k}`, b * BATCH + k, time)).join(',')}]`);
}

/** Posts batches round-robin to `ports` on keep-alive connections for `ms`; returns events stored per second. */
async function drive(ports: number[], templates: string[], prefix: string, ms: number): Promise<{ rate: number; stored: number; seconds: number }> {
  const agents = ports.map(() => new Agent({ keepAlive: true, maxSockets: CONNECTIONS_PER_PROCESS }));
  let next = 0;
  let stored = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(ports.flatMap((_, i) => Array.from({ length: CONNECTIONS_PER_PROCESS }, async () => {
    while (performance.now() < deadline) {
      const n = next++;
      const body = Buffer.from(templates[n % templates.length]!.replaceAll('"id":"@@-', `"id":"${prefix}${Math.floor(n / templates.length)}-`));
      // Awaited first: `stored += await …` would read `stored` before the wait and drop other connections' counts.
      const took = await postBatch(agents[i]!, ports[i]!, body);
      stored += took;
    }
  })));
  const seconds = (performance.now() - start) / 1000;
  for (const a of agents) a.destroy();
  return { rate: stored / seconds, stored, seconds };
}

export async function run(reporter: Reporter): Promise<void> {
  const cores = availableParallelism();
  reporter.progress('starting the cluster (PostgreSQL, NATS, Mosquitto, anvil, 2 ingest + 1 indexer processes)');
  const cluster = await startCluster({ ingest: 2, api: 0, indexers: 1, progress: (m) => reporter.progress(`  ${m}`) });
  try {
    reporter.progress(`minting and pairing ${DEVICES} devices`);
    const fleet = await mintFleet(cluster, DEVICES, 'bench');
    const [a, b] = cluster.byRole('ingest');
    for (const p of [a!, b!]) await waitFleetAccepted(fleet, p.url);
    reporter.progress(`signing ${(SIGNED_BATCHES * BATCH).toLocaleString('en-US')} events`);
    const templates = signTemplates(fleet, SIGNED_BATCHES);

    reporter.progress(`1 ingest process: warm-up, then ${PHASE_MS / 1000} s`);
    await drive([a!.port], templates, 'w1-', WARMUP_MS);
    const r1 = await drive([a!.port], templates, 'one-', PHASE_MS);
    reporter.progress(`  ${Math.round(r1.rate)} events/s`);
    reporter.progress(`2 ingest processes: warm-up, then ${PHASE_MS / 1000} s`);
    await drive([a!.port, b!.port], templates, 'w2-', WARMUP_MS);
    const r2 = await drive([a!.port, b!.port], templates, 'two-', PHASE_MS);
    const load = loadavg()[0]!.toFixed(1);

    const note = `${BATCH}-event batches of 20-signal events from ${DEVICES} devices, ${CONNECTIONS_PER_PROCESS} connections per process, acknowledged after the durable PostgreSQL write`;
    reporter.figure({ metric: 'msgs_per_s_1_ingest', value: Math.round(r1.rate), unit: 'msg/s', note: `${note}; ${r1.stored.toLocaleString('en-US')} events in ${r1.seconds.toFixed(1)} s` });
    reporter.figure({ metric: 'msgs_per_s_2_ingest', value: Math.round(r2.rate), unit: 'msg/s', note: `same load split over 2 processes; ${r2.stored.toLocaleString('en-US')} events in ${r2.seconds.toFixed(1)} s` });
    reporter.figure({ metric: 'scale_ratio', value: Math.round((r2.rate / r1.rate) * 100) / 100, unit: 'ratio', note: `target >= 1.6 with enough cores; here ${cores} cores shared by the load generator, PostgreSQL, NATS and every process; 1-min load average ${load}` });
    reporter.figure({ metric: 'cores', value: cores, unit: 'cores', note: 'os.availableParallelism() of the machine running the whole cluster' });
  } finally {
    reporter.progress('stopping the cluster');
    await cluster.stop();
  }
}
