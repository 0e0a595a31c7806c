// `npm run bench -- ingest [--json]`: ingest throughput of the whole data path on this machine, for
// 20-signal signed events (18 signals + a latitude/longitude pair) from 100,000 distinct vehicles:
// signature verification on worker threads, identity checks, normalisation, encryption and durable
// group-committed storage (SQLite, WAL), with compaction running on its default schedule.
//
// The node runs in a child process (bench/ingest/ingest-node.ts) so its RSS is its own; this process
// derives keys and signs every event before measuring, then drives HTTP and MQTT load over loopback.
// The physical limit is measured in the same run: raw libsecp256k1 recoveries per second on one core.
import { fork } from 'node:child_process';
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import mqtt from 'mqtt';
import { secp256k1 } from '../src/ingest/verify/recover.ts';
import { postBatch } from './ingest/post-batch.ts';
import type { Reporter } from './report.ts';
import type { SignJob } from './ingest/sign-worker.ts';

const VEHICLES = 100_000;
const HTTP_EVENTS = 150_000;
const BATCH = 500;
const HTTP_CONNECTIONS = 8;
const MQTT_DEVICES = 40;
const MQTT_EVENTS_PER_DEVICE = 750;
const SIGNALS_PER_EVENT = 20;

function rawRecoverPerSecond(): number {
  const priv = randomBytes(32);
  const msgs = Array.from({ length: 256 }, () => randomBytes(32));
  const sigs = msgs.map((m) => secp256k1.ecdsaSign(m, priv));
  const out = new Uint8Array(65);
  for (let i = 0; i < 2000; i++) secp256k1.ecdsaRecover(sigs[i & 255]!.signature, sigs[i & 255]!.recid, msgs[i & 255]!, false, out);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    for (let i = 0; i < 256; i++) secp256k1.ecdsaRecover(sigs[i]!.signature, sigs[i]!.recid, msgs[i]!, false, out);
    n += 256;
  }
  return n / ((performance.now() - start) / 1000);
}

async function inWorkers<T>(jobs: SignJob[]): Promise<T[][]> {
  const workers = Array.from({ length: availableParallelism() }, () => new Worker(new URL('./ingest/sign-worker.ts', import.meta.url)));
  const results: T[][] = new Array(jobs.length);
  let next = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await new Promise<T[]>((resolve) => {
        w.once('message', resolve);
        w.postMessage(jobs[i]);
      });
    }
  }));
  await Promise.all(workers.map((w) => w.terminate()));
  return results;
}

export async function run(reporter: Reporter): Promise<void> {
  const cores = availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-bench-ingest-'));
  try {
    reporter.progress('measuring raw libsecp256k1 recovery on one core');
    const raw = rawRecoverPerSecond();

    reporter.progress(`deriving ${VEHICLES.toLocaleString('en-US')} device keys`);
    const chunks = await inWorkers<string>(Array.from({ length: 20 }, (_, i) => ({ kind: 'addresses' as const, from: (i * VEHICLES) / 20, to: ((i + 1) * VEHICLES) / 20 })));
    const addressesFile = join(dir, 'addresses.txt');
    writeFileSync(addressesFile, chunks.flat().join('\n') + '\n');

    const time = new Date(Date.now() - 60_000).toISOString();
    reporter.progress(`signing ${HTTP_EVENTS.toLocaleString('en-US')} HTTP events and ${(MQTT_DEVICES * MQTT_EVENTS_PER_DEVICE).toLocaleString('en-US')} MQTT events`);
    const httpJobs: SignJob[] = [];
    for (let b = 0; b < HTTP_EVENTS / BATCH; b++) {
      httpJobs.push({ kind: 'events', time, items: Array.from({ length: BATCH }, (_, k) => ({ device: (b * BATCH + k) % VEHICLES, id: `h${b * BATCH + k}` })) });
    }
    const bodies = (await inWorkers<string>(httpJobs)).map((events) => Buffer.from(`[${events.join(',')}]`));
    const mqttJobs: SignJob[] = Array.from({ length: MQTT_DEVICES }, (_, d) => ({
      kind: 'events' as const, time, items: Array.from({ length: MQTT_EVENTS_PER_DEVICE }, (_, k) => ({ device: d, id: `m${d}-${k}` })),
    }));
    const mqttMessages = (await inWorkers<string>(mqttJobs)).map((events) => events.map((e) => Buffer.from(e)));
    const mqttAddresses = chunks.flat().slice(0, MQTT_DEVICES);

    reporter.progress('starting the node');
    // BENCH_NODE_PROF=<dir> writes CPU profiles of the node process (main thread and workers) there.
    const prof = process.env.BENCH_NODE_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_NODE_PROF] : [];
    const node = fork(new URL('./ingest/ingest-node.ts', import.meta.url), [join(dir, 'node'), addressesFile], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...prof] });
    const ready = await new Promise<{ port: number; mqttUrl: string }>((resolve, reject) => {
      let out = '';
      node.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /READY (\d+) (\S+)/.exec(out);
        if (m) resolve({ port: Number(m[1]), mqttUrl: m[2]! });
      });
      node.once('exit', (code) => reject(new Error(`node exited ${code}`)));
    });
    const ask = <T>(cmd: string) =>
      new Promise<T>((resolve) => {
        node.once('message', (m) => resolve(m as T));
        node.send({ cmd });
      });

    type Stats = { rssMb: number; logBacklog: number; compacted: number; cpuUs: number; mainUs: number };
    const beforeHttp = await ask<Stats>('stats');
    const driverCpu0 = process.cpuUsage();
    // HTTP: batches of 500 events on 8 keep-alive connections.
    reporter.progress(`HTTP: ${HTTP_EVENTS.toLocaleString('en-US')} events in batches of ${BATCH} on ${HTTP_CONNECTIONS} connections`);
    // node:http with a keep-alive agent: the load generator shares the machine, so it should cost little.
    const agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONNECTIONS });
    let nextBody = 0;
    let stored = 0;
    const start = performance.now();
    await Promise.all(Array.from({ length: HTTP_CONNECTIONS }, async () => {
      while (nextBody < bodies.length) {
        const body = bodies[nextBody++]!;
        const n = await postBatch(agent, ready.port, body);
        stored += n;
        if (stored % 25_000 < BATCH) reporter.progress(`  ${stored.toLocaleString('en-US')} stored after ${((performance.now() - start) / 1000).toFixed(1)} s`);
      }
    }));
    const httpSeconds = (performance.now() - start) / 1000;
    agent.destroy();
    // Other processes on the machine take cores from this measurement: say how busy it was.
    const load = loadavg()[0]!.toFixed(1);
    if (stored !== HTTP_EVENTS) throw new Error(`only ${stored} of ${HTTP_EVENTS} events were stored`);
    const httpRate = HTTP_EVENTS / httpSeconds;
    const afterHttp = await ask<Stats>('stats');
    const driverCpu = process.cpuUsage(driverCpu0);
    const nodeUsPerEvent = (afterHttp.cpuUs - beforeHttp.cpuUs) / HTTP_EVENTS;
    const mainUsPerEvent = (afterHttp.mainUs - beforeHttp.mainUs) / HTTP_EVENTS;
    const driverUsPerEvent = (driverCpu.user + driverCpu.system) / HTTP_EVENTS;

    // MQTT: each device on its own connection and topic, QoS 1, acknowledged after the durable write.
    reporter.progress(`MQTT: ${MQTT_DEVICES} devices × ${MQTT_EVENTS_PER_DEVICE} events, QoS 1`);
    const clients = await Promise.all(mqttAddresses.map((a) => mqtt.connectAsync(ready.mqttUrl, { clientId: `bench-${a.slice(2, 10)}` })));
    const mqttStart = performance.now();
    await Promise.all(clients.map(async (c, d) => {
      const topic = `devices/${mqttAddresses[d]}/status`;
      const msgs = mqttMessages[d]!;
      const window = 64;
      let i = 0;
      await Promise.all(Array.from({ length: window }, async () => {
        while (i < msgs.length) await c.publishAsync(topic, msgs[i++]!, { qos: 1 });
      }));
    }));
    const mqttSeconds = (performance.now() - mqttStart) / 1000;
    await Promise.all(clients.map((c) => c.endAsync()));
    const mqttRate = (MQTT_DEVICES * MQTT_EVENTS_PER_DEVICE) / mqttSeconds;

    const stats = await ask<Stats>('stats');
    reporter.progress(`compacting the ${stats.logBacklog.toLocaleString('en-US')} events left in the append log`);
    const flushed = await ask<{ events: number; seconds: number; rssMb: number }>('flush');
    await ask('stop');
    const compactRate = flushed.events / flushed.seconds;

    reporter.figure({ metric: 'msgs_per_s_http', value: Math.round(httpRate), unit: 'msg/s', note: `${HTTP_EVENTS.toLocaleString('en-US')} events, ${VEHICLES.toLocaleString('en-US')} vehicles, batches of ${BATCH}; durable in the append log when answered; compaction (default schedule) moved ${Math.round(afterHttp.compacted).toLocaleString('en-US')} meanwhile, then ${Math.round(compactRate).toLocaleString('en-US')} events/s with 1-2 events per vehicle; 1-min load average ${load} on ${cores} cores` });
    reporter.figure({ metric: 'msgs_per_s_mqtt', value: Math.round(mqttRate), unit: 'msg/s', note: `${MQTT_DEVICES} device connections, QoS 1, one event per message, PUBACK after commit` });
    reporter.figure({ metric: 'signals_per_s_http', value: Math.round(httpRate * SIGNALS_PER_EVENT), unit: 'signal/s', note: `${SIGNALS_PER_EVENT} signals per event (latitude/longitude stored as one location)` });
    reporter.figure({ metric: 'raw_recover_per_s_per_core', value: Math.round(raw), unit: 'recover/s', note: 'libsecp256k1 ecdsaRecover alone, one core, same run' });
    reporter.figure({ metric: 'ratio_to_limit', value: Math.round((httpRate / (raw * cores)) * 1000) / 1000, unit: 'ratio', note: `msgs_per_s_http / (raw_recover_per_s_per_core × ${cores} cores); CPU per HTTP event: node ${nodeUsPerEvent.toFixed(0)} µs (main thread ${mainUsPerEvent.toFixed(0)}, verify workers and the rest ${(nodeUsPerEvent - mainUsPerEvent).toFixed(0)}), load generator ${driverUsPerEvent.toFixed(0)} µs, one raw recovery ${(1e6 / raw).toFixed(0)} µs` });
    reporter.figure({ metric: 'rss_mb', value: Math.round(Math.max(stats.rssMb, flushed.rssMb)), unit: 'MiB', note: `node process after ingesting from ${VEHICLES.toLocaleString('en-US')} distinct vehicles and compacting them (${Math.round(stats.rssMb)} MiB before compaction)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
