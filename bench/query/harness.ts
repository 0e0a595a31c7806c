// What the query bench's sections share: the node child (forked, loaded, ready), an HTTP GraphQL client
// on one keep-alive connection, and latency statistics.
import { fork, type ChildProcess } from 'node:child_process';
import type { QueryBenchInfo } from './node-child.ts';

export interface QueryBench {
  info: QueryBenchInfo;
  child: ChildProcess;
  /** POSTs a GraphQL query to /query with the vehicle token; resolves with the parsed body and the node's own time (Server-Timing). */
  graphql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[]; serverMs: number }>;
  /** Runs a command registered in the child (child-commands.ts). */
  command(name: string, args?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** QUERY_BENCH_PROF=<dir> makes the node child write CPU profiles there (node --cpu-prof). */
export async function startQueryBench(): Promise<QueryBench> {
  const child = fork(new URL('./node-child.ts', import.meta.url), [], { execArgv: process.env.QUERY_BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.QUERY_BENCH_PROF] : [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise<QueryBenchInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench node exited (${code})`)));
    child.on('message', (m: { type: string; info?: QueryBenchInfo; error?: string }) => {
      if (m.type === 'ready') resolve(m.info!);
      if (m.type === 'failed') reject(new Error(m.error));
    });
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { type: string; id?: number; result?: unknown; error?: string }) => {
    if (m.type !== 'reply') return;
    const p = pending.get(m.id!);
    pending.delete(m.id!);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m.result);
  });
  return {
    info,
    child,
    async graphql(query, variables) {
      const res = await fetch(`${info.baseUrl}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      if (res.status !== 200 || body.errors) throw new Error(`query failed: ${res.status} ${JSON.stringify(body.errors ?? body)}`);
      const serverMs = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
      return { ...body, serverMs };
    },
    command(name, args) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: 'command', id, command: name, args });
      });
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

/** Sequential timings of `fn`, in ms, after `warmup` untimed runs. */
export async function timeRuns(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (x: number) => Math.round(x * 1000) / 1000;
