// Live-stream latency: from the moment a signed event is sent to the node's ingest (POST /v1/ingest) to
// the moment a graphql-ws subscriber on /query receives it, at a steady 5,000 events/s spread over a few
// vehicles (one aftermarket device each, paired on chain), 20 signals per event, one subscriber per vehicle.
// The node runs in a child process (bench/query/live-node.ts) on a real embedded chain; this process signs
// every event before measuring (worker threads), then drives the load and reads the streams. Latency
// covers HTTP, signature verification, identity checks, normalisation, encryption and the durable group
// commit, the bus, the privilege filter, GraphQL execution and the WebSocket.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { getAddress } from 'viem';
import { createClient, type Client } from 'graphql-ws';
import type { Reporter } from '../report.ts';
import type { LiveSignJob } from './live-sign-worker.ts';

export interface LiveBenchOptions {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  vehicles: number;
  /** Send a batch this often (ms); each carries rate × tick / 1000 events. */
  tickMs: number;
}

const DEFAULTS: LiveBenchOptions = { rate: 5000, seconds: 10, warmupSeconds: 2, vehicles: 5, tickMs: 10 };

interface Ready {
  port: number;
  chainId: number;
  vehicleContract: string;
  aftermarketContract: string;
  vehicles: Array<{ vehicleId: string; deviceTokenId: string; privateKey: string; token: string }>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function signAll(jobs: LiveSignJob[]): Promise<string[][]> {
  const workers = Array.from({ length: Math.max(1, availableParallelism()) }, () => new Worker(new URL('./live-sign-worker.ts', import.meta.url)));
  const results: string[][] = new Array(jobs.length);
  let next = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await new Promise<string[]>((resolve) => {
        w.once('message', resolve);
        w.postMessage(jobs[i]);
      });
    }
  }));
  await Promise.all(workers.map((w) => w.terminate()));
  return results;
}

/** Reports live_p50_ms and live_p99_ms (and what the run achieved). */
export async function runLiveBench(reporter: Reporter, options: Partial<LiveBenchOptions> = {}): Promise<void> {
  const o = { ...DEFAULTS, ...options };
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-bench-live-'));
  // BENCH_NODE_PROF=<dir> writes a CPU profile of the node process there; LIVE_TRACE=1 prints latency per
  // quarter second (to tell a backlog from spikes).
  const prof = process.env.BENCH_NODE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_NODE_PROF] : [];
  const node = fork(new URL('./live-node.ts', import.meta.url), [join(dir, 'node'), String(o.vehicles)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...prof] });
  const clients: Client[] = [];
  try {
    reporter.progress(`starting a node with ${o.vehicles} paired vehicles on an embedded chain`);
    const ready = await new Promise<Ready>((resolve, reject) => {
      let out = '';
      node.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /READY (\{.*\})\n/.exec(out);
        if (m) resolve(JSON.parse(m[1]!) as Ready);
      });
      node.once('exit', (code) => reject(new Error(`the bench node exited with ${code}`)));
      setTimeout(() => reject(new Error('the bench node did not become ready within 5 minutes')), 300_000).unref();
    });

    const total = o.rate * (o.seconds + o.warmupSeconds);
    const perVehicle = Math.ceil(total / o.vehicles);
    reporter.progress(`signing ${total.toLocaleString('en-US')} events (20 signals each)`);
    const base = Date.now() - 120_000;
    const vehicleContract = getAddress(ready.vehicleContract);
    const deviceContract = getAddress(ready.aftermarketContract);
    const signed = await signAll(ready.vehicles.map((v, k) => ({
      privateKey: v.privateKey,
      subject: `did:erc721:${ready.chainId}:${vehicleContract}:${v.vehicleId}`,
      producer: `did:erc721:${ready.chainId}:${deviceContract}:${v.deviceTokenId}`,
      seed: k,
      // Distinct, increasing sample times (1 ms apart) a couple of minutes in the past.
      items: Array.from({ length: perVehicle }, (_, i) => ({ id: `live-${v.vehicleId}-${i}`, time: base + i })),
    })));

    // One graphql-ws connection and subscription per vehicle, as an app watching its fleet would.
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const trace: Array<[number, number]> = [];
    const acks: number[] = [];
    let received = 0;
    let measuring = false;
    const errors: string[] = [];
    const url = `ws://127.0.0.1:${ready.port}/query`;
    let subscribed = 0;
    for (const v of ready.vehicles) {
      const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${v.token}` }, retryAttempts: 0, lazy: false });
      clients.push(client);
      client.subscribe<{ signals: { cloudEventId: string } }>(
        { query: 'subscription ($id: Int!) { signals(tokenId: $id) { cloudEventId lastSeen speed { timestamp value } } }', variables: { id: Number(v.vehicleId) } },
        {
          next(result) {
            const at = performance.now();
            const id = result.data?.signals.cloudEventId;
            if (id === undefined) return;
            received++;
            const t0 = sent.get(id);
            if (t0 !== undefined) {
              sent.delete(id);
              if (measuring) latencies.push(at - t0);
              if (process.env.LIVE_TRACE) trace.push([t0, at - t0]);
            }
          },
          error(err) {
            errors.push(JSON.stringify(err).slice(0, 300));
          },
          complete() {},
        },
      );
      subscribed++;
    }
    // Let every subscription register before the load starts.
    await new Promise((r) => setTimeout(r, 500));

    reporter.progress(`${subscribed} subscribers; sending ${o.rate.toLocaleString('en-US')} events/s for ${o.warmupSeconds + o.seconds} s (${o.warmupSeconds} s warm-up)`);
    const ingest = `http://127.0.0.1:${ready.port}/v1/ingest`;
    const perTick = Math.round((o.rate * o.tickMs) / 1000);
    const ticks = Math.ceil(total / perTick);
    const cursor = ready.vehicles.map(() => 0);
    let stored = 0;
    let refused = 0;
    const inflight = new Set<Promise<void>>();
    const start = performance.now();
    let tick = 0;
    while (tick < ticks) {
      const due = Math.floor((performance.now() - start) / o.tickMs) + 1;
      for (; tick < Math.min(due, ticks); tick++) {
        measuring = tick * o.tickMs >= o.warmupSeconds * 1000;
        const batch: string[] = [];
        const ids: string[] = [];
        for (let k = 0; k < perTick; k++) {
          const v = (tick * perTick + k) % ready.vehicles.length;
          const ev = signed[v]![cursor[v]!++];
          if (!ev) continue;
          batch.push(ev);
          ids.push(`live-${ready.vehicles[v]!.vehicleId}-${cursor[v]! - 1}`);
        }
        if (batch.length === 0) continue;
        const t0 = performance.now();
        for (const id of ids) sent.set(id, t0);
        const p = fetch(ingest, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: `[${batch.join(',')}]`, signal: AbortSignal.timeout(60_000) })
          .then(async (res) => {
            const json = (await res.json()) as { stored?: number };
            if (measuring) acks.push(performance.now() - t0);
            if (res.status === 200) stored += json.stored ?? 0;
            else refused += batch.length;
          })
          .catch(() => void (refused += batch.length))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, start + tick * o.tickMs - performance.now())));
    }
    const sendSeconds = (performance.now() - start) / 1000;
    await Promise.all(inflight);
    const drainUntil = performance.now() + 5000;
    while (sent.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));

    if (process.env.LIVE_TRACE) {
      const buckets = new Map<number, number[]>();
      for (const [t, l] of trace) {
        const b = Math.floor((t - start) / 250);
        (buckets.get(b) ?? buckets.set(b, []).get(b)!).push(l);
      }
      for (const [b, ls] of [...buckets].sort((x, y) => x[0] - y[0])) {
        ls.sort((x, y) => x - y);
        process.stderr.write(`${(b * 0.25).toFixed(2)}s n=${ls.length} p50=${percentile(ls, 50).toFixed(1)} max=${ls[ls.length - 1]!.toFixed(1)}\n`);
      }
    }
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    if (errors.length > 0) reporter.progress(`subscription errors: ${errors.slice(0, 3).join(' | ')}`);
    if (refused > 0) reporter.progress(`${refused} events were refused by ingest`);
    reporter.figure({ metric: 'live_p50_ms', value: Math.round(percentile(latencies, 50) * 100) / 100, unit: 'ms', note: `ingest → subscriber, ${latencies.length.toLocaleString('en-US')} events measured` });
    reporter.figure({ metric: 'live_p99_ms', value: Math.round(percentile(latencies, 99) * 100) / 100, unit: 'ms', note: 'target ≤ 50 ms' });
    // Where the time goes: the ingest answer comes after the durable write (and the bus publish), so a
    // live latency close to this one means the stream added little.
    reporter.figure({ metric: 'live_ingest_ack_p50_ms', value: Math.round(percentile(acks, 50) * 100) / 100, unit: 'ms', note: 'POST /v1/ingest answered (batches of 50)' });
    reporter.figure({ metric: 'live_ingest_ack_p99_ms', value: Math.round(percentile(acks, 99) * 100) / 100, unit: 'ms' });
    reporter.figure({ metric: 'live_ingest_events_per_s', value: Math.round(total / sendSeconds), unit: 'events/s', note: `offered; ${stored.toLocaleString('en-US')} stored` });
    reporter.figure({ metric: 'live_delivered_ratio', value: Math.round((received / Math.max(1, stored)) * 10_000) / 10_000, unit: 'ratio', note: `${received.toLocaleString('en-US')} updates received, ${sent.size} missing` });
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await new Promise<void>((resolve) => {
      if (node.exitCode !== null || !node.connected) return resolve();
      node.once('exit', () => resolve());
      node.send({ cmd: 'stop' });
      setTimeout(() => {
        node.kill('SIGKILL');
        resolve();
      }, 15_000).unref();
    });
    rmSync(dir, { recursive: true, force: true });
  }
}
