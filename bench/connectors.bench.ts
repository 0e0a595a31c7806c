// `npm run bench -- connectors [vehicles=10000] [seconds=120] [period=60] [--json]`: how many vehicles one node
// process keeps polling against the OEM emulator, on real time, with the cadence checked.
//
// The emulator runs in a child process (bench/connectors/emulator-child.ts) with a seeded fleet living
// its day on the system clock (Tesla and Smartcar accounts, half each), rate limits on. This process is
// the node's connector side: the real scheduler, token manager, OEM clients (keep-alive node:http),
// converters and device-key signing, feeding the real ingest pipeline and vault (SQLite, signature
// verification on a worker thread) with an in-memory identity standing in for the chain (no minting).
// Every vehicle gets its tokens from the emulator's control plane, is connected (accounts listed over
// HTTP), then all polls are spread over the first minute; after a minute of warm-up the window is
// measured. Cadence: Tesla driving 30 s, every other state 60 s; Smartcar 60 s in every state — so the
// scheduled load is ≥ 1 poll per vehicle per minute, and `cadence_ok_ratio` says how many polls started
// within 5 s of their due time.
import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../src/core/clock.ts';
import { LATENESS_BUCKETS_MS } from '../src/connectors/scheduling/connector-runtime.ts';
import { startConnectorHarness, type EmulatorEndpoints } from '../src/connectors/testing.ts';
import type { Reporter } from './report.ts';

const WARM_S = 60;
/** The bench's cadence with every interval `period` (Tesla driving at half of it). */
function cadence(periodMs: number) {
  return {
    tesla: { drivingMs: periodMs / 2, chargingMs: periodMs, parkedCheckMs: periodMs, asleepCheckMs: periodMs, offlineCheckMs: periodMs },
    smartcar: { drivingMs: periodMs, chargingMs: periodMs, parkedMs: periodMs, asleepMs: periodMs },
  };
}

interface Ready {
  kind: 'ready';
  urls: EmulatorEndpoints & { control: string };
  accounts: Array<{ id: string; oem: 'tesla' | 'smartcar'; vehicles: number }>;
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export async function run(reporter: Reporter, args: string[]): Promise<void> {
  const target = Number(args[0] ?? 10_000);
  const seconds = Number(args[1] ?? 120);
  // A shorter period than 60 s loads the node harder than the cadence we run with (headroom).
  const periodS = Number(args[2] ?? 60);
  // Accounts hold 1.65 vehicles on average; ask for enough of each OEM.
  const perOem = Math.ceil((target / 1.65 / 2) * 1.1) + 5;
  reporter.progress(`starting the emulator (${perOem} + ${perOem} accounts) in a child process`);
  const child = fork(new URL('./connectors/emulator-child.ts', import.meta.url), ['opendimo-bench', String(perOem), String(perOem)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const messages: Array<(m: unknown) => void> = [];
  child.on('message', (m) => messages.shift()?.(m));
  const next = <T>() => new Promise<T>((resolve) => messages.push(resolve as (m: unknown) => void));
  const ready = await next<Ready>();

  // Accounts, alternating OEMs, until the target is reached.
  const tesla = ready.accounts.filter((a) => a.oem === 'tesla');
  const smartcar = ready.accounts.filter((a) => a.oem === 'smartcar');
  const chosen: Ready['accounts'] = [];
  let vehicles = 0;
  for (let i = 0; vehicles < target && (i < tesla.length || i < smartcar.length); i++) {
    for (const a of [tesla[i], smartcar[i]]) {
      if (a && vehicles < target) {
        chosen.push(a);
        vehicles += a.vehicles;
      }
    }
  }

  const h = await startConnectorHarness({ urls: ready.urls, clock: systemClock, manual: true, cadence: cadence(periodS * 1000), concurrency: 256, verifyThreads: 1, maxInflight: 200_000 });
  try {
    reporter.progress(`connecting ${vehicles} vehicles of ${chosen.length} accounts (tokens from the control plane, vehicles listed over HTTP)`);
    const t0 = performance.now();
    await pool(chosen, 16, async (a) => {
      const res = await fetch(`${ready.urls.control}/_emulator/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: a.id }) });
      const tokens = (await res.json()) as { access_token: string; refresh_token: string | null; expires_in: number };
      await h.connectAccount(a.oem, tokens, { at: Number.MAX_SAFE_INTEGER });
    });
    const connectS = (performance.now() - t0) / 1000;
    reporter.progress(`connected in ${connectS.toFixed(1)} s; polling every ${periodS} s (first polls spread over that), warming up ${WARM_S} s`);
    h.runtime.launch(periodS * 1000);
    await sleep(WARM_S * 1000);

    const snap = () => ({
      at: performance.now(),
      polls: h.runtime.stats.polls,
      runs: h.runtime.stats.runs,
      late: h.runtime.stats.late,
      buckets: [...h.runtime.stats.latenessBuckets],
      data: h.runtime.stats.events.data_call,
      state: h.runtime.stats.events.state_call,
      stored: h.runtime.stats.events.emitted,
      rejected: h.runtime.stats.events.rejected,
      requests: h.http.requests,
      errors: Object.entries(h.runtime.stats.outcomes).filter(([k]) => k !== 'ok').reduce((n, [, v]) => n + v, 0),
      cpu: process.cpuUsage(),
    });
    const childCpu = async () => {
      child.send('cpu');
      return (await next<{ usage: NodeJS.CpuUsage }>()).usage;
    };
    const a = snap();
    const ca = await childCpu();
    reporter.progress(`measuring ${seconds} s`);
    await sleep(seconds * 1000);
    const b = snap();
    const cb = await childCpu();

    const minutes = (b.at - a.at) / 60_000;
    const runs = b.runs - a.runs;
    const buckets = b.buckets.map((n, i) => n - a.buckets[i]!);
    let acc = 0;
    let p99 = Infinity;
    for (let i = 0; i < buckets.length; i++) {
      acc += buckets[i]!;
      if (acc >= runs * 0.99) {
        p99 = LATENESS_BUCKETS_MS[i]!;
        break;
      }
    }
    const cpuPct = (u: NodeJS.CpuUsage, v: NodeJS.CpuUsage) => ((v.user - u.user + v.system - u.system) / 1000 / ((b.at - a.at))) * 100;
    reporter.figure({ metric: 'vehicles', value: h.runtime.vehicles.size, unit: 'vehicles', note: `${chosen.length} accounts, Tesla and Smartcar; connected in ${connectS.toFixed(1)} s` });
    reporter.figure({ metric: 'poll_period_s', value: periodS, unit: 's', note: 'every vehicle is due at least this often (Tesla driving twice as often)' });
    reporter.figure({ metric: 'vehicles_polled_per_min', value: Math.round((b.polls - a.polls) / minutes), unit: 'polls/min', note: 'one node process; emulator in a child process' });
    reporter.figure({ metric: 'cadence_ok_ratio', value: Number((1 - (b.late - a.late) / Math.max(1, runs)).toFixed(4)), unit: 'ratio', note: 'polls started within 5 s of their due time' });
    reporter.figure({ metric: 'poll_lateness_p99_ms', value: p99, unit: 'ms', note: 'upper bound of the histogram bucket' });
    reporter.figure({ metric: 'data_calls_per_min', value: Math.round((b.data - a.data) / minutes), unit: 'calls/min', note: 'Tesla vehicle_data and Smartcar batches' });
    reporter.figure({ metric: 'state_calls_per_min', value: Math.round((b.state - a.state) / minutes), unit: 'calls/min', note: 'Tesla state checks (sleeping and parked cars)' });
    reporter.figure({ metric: 'oem_requests_per_s', value: Math.round((b.requests - a.requests) / minutes / 60), unit: 'req/s' });
    reporter.figure({ metric: 'records_stored_per_min', value: Math.round((b.stored - a.stored) / minutes), unit: 'records/min', note: 'signed dimo.status events stored by the ingest pipeline' });
    reporter.figure({ metric: 'records_rejected', value: b.rejected - a.rejected, unit: 'records' });
    reporter.figure({ metric: 'poll_errors', value: b.errors - a.errors, unit: 'polls', note: 'rate limits, OEM errors, timeouts in the window' });
    reporter.figure({ metric: 'node_cpu_percent', value: Math.round(cpuPct(a.cpu, b.cpu)), unit: '% of a core', note: `${cpus().length} cores on this machine` });
    reporter.figure({ metric: 'emulator_cpu_percent', value: Math.round(cpuPct(ca, cb)), unit: '% of a core' });
  } finally {
    await h.runtime.stop();
    await h.close();
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}
