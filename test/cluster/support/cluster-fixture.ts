// A harness cluster for one test: skipped (with the apt command) where Debian's postgresql, nats-server
// or mosquitto are missing, except under CI=true where that fails; stopped after the test.
import type { TestContext } from 'node:test';
import { startCluster, type Cluster, type ClusterOptions } from '../../../src/cluster/harness/start-cluster.ts';
import { findMosquitto } from '../../../src/cluster/harness/mosquitto-process.ts';
import { findNatsServer } from '../../../src/cluster/harness/nats-server-process.ts';
import { findPostgresBinDir } from '../../../src/cluster/harness/postgres-process.ts';

/** Why the cluster cannot run here (the apt-get command to fix it), or undefined when it can. */
export function missingClusterPackages(): string | undefined {
  const missing = [
    findPostgresBinDir() === undefined ? 'postgresql' : undefined,
    findNatsServer() === undefined ? 'nats-server' : undefined,
    findMosquitto() === undefined ? 'mosquitto' : undefined,
  ].filter((p) => p !== undefined);
  return missing.length ? `cluster packages not installed (apt-get install ${missing.join(' ')})` : undefined;
}

export async function clusterForTest(t: TestContext, opts: ClusterOptions = {}): Promise<Cluster | undefined> {
  const missing = missingClusterPackages();
  if (missing) {
    if (process.env.CI === 'true') throw new Error(`${missing}; CI must run the cluster tests`);
    t.skip(missing);
    return undefined;
  }
  const started = Date.now();
  // CLUSTER_TEST_KEEP=1 keeps the cluster's temp dir (each process's node.log) for a post-mortem.
  const cluster = await startCluster({ ...(process.env.CLUSTER_TEST_KEEP === '1' ? { keepDir: true } : {}), ...opts });
  t.after(() => cluster.stop());
  t.diagnostic(`cluster up in ${Date.now() - started} ms: ${cluster.processes.map((p) => p.name).join(', ')}`);
  return cluster;
}

/** Waits until `check` holds, polling; fails with `what` and the last value after the deadline. */
export async function eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
}

/** The node's /health body, or undefined when it does not answer. */
export async function health(url: string): Promise<{ status: string; checks: Record<string, { ok: boolean; detail: string }> } | undefined> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as { status: string; checks: Record<string, { ok: boolean; detail: string }> };
  } catch {
    return undefined;
  }
}

/** Waits until every process of the cluster answers /health with status ok; fails naming the sick ones. */
export async function waitAllHealthy(cluster: Cluster, what: string, timeoutMs = 30_000): Promise<void> {
  await eventually(what, timeoutMs, async () => {
    const bodies = await Promise.all(cluster.processes.map((p) => health(p.url)));
    const sick = cluster.processes.map((p, i) => [p.name, bodies[i]] as const).filter(([, b]) => b?.status !== 'ok');
    if (sick.length) throw new Error(JSON.stringify(sick));
    return true;
  });
}
