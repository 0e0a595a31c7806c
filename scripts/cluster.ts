// `npm run cluster [-- --ingest N --api N --indexers N]`: a whole cluster on this machine in the
// foreground (src/cluster/harness/start-cluster.ts), until Ctrl-C or SIGTERM stops every process it started.
import { parseArgs } from 'node:util';
import { startCluster } from '../src/cluster/harness/start-cluster.ts';
import { isOdmError } from '../src/core/errors.ts';

const { values } = parseArgs({
  options: { ingest: { type: 'string', default: '2' }, api: { type: 'string', default: '1' }, indexers: { type: 'string', default: '1' } },
});
const count = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
  return n;
};

let stopRequested: string | undefined;
let onStop: (() => void) | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopRequested) return;
    stopRequested = signal;
    onStop?.();
  });
}

const started = Date.now();
try {
  const cluster = await startCluster({
    ingest: count('ingest', values.ingest),
    api: count('api', values.api),
    indexers: count('indexers', values.indexers),
    progress: (m) => process.stderr.write(`cluster: ${m}\n`),
  });
  const { urls } = cluster;
  const lines = [
    `opendimo cluster is up (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    ...cluster.processes.map((p) => `  ${p.name.padEnd(12)} ${p.url}  (role ${p.role}, pid ${p.pid()}, log ${p.dataDir}/node.log)`),
    `  PostgreSQL   ${urls.database}`,
    `  NATS         ${urls.nats} (JetStream)`,
    `  MQTT         ${urls.mqtt} (mosquitto, shared subscription group $share/${cluster.env.OPENDIMO_MQTT_SHARE_GROUP})`,
    `  chain RPC    ${urls.rpc} (anvil, chain ${cluster.chain.chainId}, deployment ${cluster.chain.deploymentFile})`,
    `  temp dir     ${cluster.dir}`,
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  // Keeps this process alive while it waits (the servers it started are unref'd children).
  const keepAlive = setInterval(() => undefined, 60_000);
  if (!stopRequested) await new Promise<void>((resolve) => (onStop = resolve));
  clearInterval(keepAlive);
  process.stderr.write(`cluster: ${stopRequested}: stopping every process\n`);
  await cluster.stop();
  process.stderr.write('cluster: stopped\n');
} catch (err) {
  process.stderr.write(`cluster: ${isOdmError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
