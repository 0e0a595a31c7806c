// A whole cluster on one machine, from Debian's packages and the repo, for `npm run cluster`, the fault
// tests and the cluster bench: PostgreSQL, nats-server (JetStream) and Mosquitto in a temp dir on free
// loopback ports, anvil with the contracts deployed (what `opendimo chain deploy` does), the migrations
// applied (`opendimo migrate`), then `opendimo node` processes per role sharing the database, the bus,
// the broker, the chain, the KEK and the vault keyring. Each process has its own data dir and port.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil, type AnvilHandle } from '../../chain/anvil.ts';
import { ANVIL_DEV_PRIVATE_KEY, REPO_ROOT } from '../../chain/constants.ts';
import { runDeployCommand } from '../../chain/deploy-command.ts';
import type { Deployment } from '../../chain/deploy.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import { openStore } from '../../store/open-store.ts';
import { loadOrCreateKek } from '../../vault/kek-file.ts';
import type { Role } from '../roles.ts';
import { guardDir } from './child-guard.ts';
import { startMosquittoProcess, type MosquittoProcess } from './mosquitto-process.ts';
import { startNatsServerProcess, type NatsServerProcess } from './nats-server-process.ts';
import { startNodeProcess, type NodeProcess } from './node-process.ts';
import { startPostgresProcess, type PostgresProcess } from './postgres-process.ts';

export interface ClusterOptions {
  /** Ingest processes (default 2). */
  ingest?: number;
  /** API processes (default 1). */
  api?: number;
  /** Indexer-role processes (default 1); more than one can take over the leader lease. */
  indexers?: number;
  /** Extra OPENDIMO_* variables for every node process. */
  env?: Record<string, string>;
  logger?: Logger;
  /** Leave the temp dir (node logs, broker and bus stores) in place after stop(), for debugging. */
  keepDir?: boolean;
  /** Called with one line per step, for people watching it start. */
  progress?: (message: string) => void;
}

export interface Cluster {
  /** Temp dir holding everything but PostgreSQL's data (which the postgres user owns elsewhere). */
  dir: string;
  urls: { api: string[]; ingest: string[]; indexer: string[]; database: string; rpc: string; mqtt: string; nats: string };
  processes: NodeProcess[];
  byRole(role: Role): NodeProcess[];
  postgres: PostgresProcess;
  nats: NatsServerProcess;
  mqtt: MosquittoProcess;
  anvil: AnvilHandle;
  chain: { rpcUrl: string; chainId: number; deployment: Deployment; deploymentFile: string };
  /** The OPENDIMO_* environment every node process shares. */
  env: Record<string, string>;
  kekFile: string;
  keyringFile: string;
  /** Starts one more node process with these roles (e.g. a second indexer for take-over). */
  addNode(role: string, name?: string): Promise<NodeProcess>;
  /** Stops every process (nodes first), then removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
}

export const MQTT_SHARE_GROUP = 'opendimo-ingest';

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const logger = opts.logger ?? silentLogger();
  const progress = opts.progress ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-cluster-'));
  const dirGuard = opts.keepDir ? undefined : guardDir(dir);
  const processes: NodeProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.allSettled(processes.map((p) => p.stop()));
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      if (!opts.keepDir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      dirGuard?.release();
    })());

  try {
    progress('starting PostgreSQL, nats-server and mosquitto');
    mkdirSync(join(dir, 'nats'));
    mkdirSync(join(dir, 'mosquitto'));
    const [postgres, nats, mqtt] = await Promise.all([
      startPostgresProcess({ logger }).then((p) => (cleanups.push(() => p.stop()), p)),
      startNatsServerProcess({ dir: join(dir, 'nats') }).then((n) => (cleanups.push(() => n.stop()), n)),
      startMosquittoProcess({ dir: join(dir, 'mosquitto') }).then((m) => (cleanups.push(() => m.stop()), m)),
    ]);

    progress('starting anvil and deploying the contracts');
    const anvil = await startAnvil({ logger });
    cleanups.push(() => anvil.stop());
    const deployment = await runDeployCommand({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, logger, cacheDir: join(REPO_ROOT, '.cache', 'solc') });
    const deploymentFile = join(dir, 'deployment.json');
    writeFileSync(deploymentFile, JSON.stringify(deployment, null, 2) + '\n');

    progress('applying the database migrations');
    const store = await openStore({ dataDir: join(dir, 'migrate'), logger, databaseUrl: postgres.url, migrate: false });
    try {
      await store.migrate();
    } finally {
      await store.close();
    }

    // One KEK and one keyring for the whole cluster: every process must read what any other wrote.
    const kekFile = join(dir, 'keys', 'kek.key');
    const keyringFile = join(dir, 'keys', 'vault-keyring.json');
    loadOrCreateKek(kekFile);
    const env: Record<string, string> = {
      OPENDIMO_DATABASE_URL: postgres.url,
      OPENDIMO_RPC_URL: anvil.rpcUrl,
      OPENDIMO_DEPLOYMENT_FILE: deploymentFile,
      OPENDIMO_CHAIN_CONFIRMATIONS: '0',
      OPENDIMO_MQTT_URL: mqtt.url,
      OPENDIMO_MQTT_SHARE_GROUP: MQTT_SHARE_GROUP,
      OPENDIMO_NATS_URL: nats.url,
      OPENDIMO_KEK_FILE: kekFile,
      OPENDIMO_VAULT_KEYRING_FILE: keyringFile,
      // Several processes share few cores: one verify thread each.
      OPENDIMO_VERIFY_THREADS: '1',
      ...opts.env,
    };

    const counters = new Map<string, number>();
    const addNode = async (role: string, name?: string) => {
      const base = role.replace(/,/g, '+');
      const n = (counters.get(base) ?? 0) + 1;
      counters.set(base, n);
      const nodeName = name ?? `${base}-${n}`;
      const p = await startNodeProcess({ name: nodeName, role, dataDir: join(dir, 'nodes', nodeName), env });
      processes.push(p);
      return p;
    };

    const plan: string[] = [
      ...Array.from({ length: opts.ingest ?? 2 }, () => 'ingest'),
      ...Array.from({ length: opts.api ?? 1 }, () => 'api'),
      ...Array.from({ length: opts.indexers ?? 1 }, () => 'indexer'),
    ];
    // The first process alone creates the vault keyring and records it in the database; the rest
    // then open the same one, side by side.
    progress(`starting ${plan.length} node processes (${plan.join(', ')})`);
    if (plan.length > 0) await addNode(plan[0]!);
    const rest = await Promise.allSettled(plan.slice(1).map((role) => addNode(role)));
    const failed = rest.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    const urlsOf = (role: Role) => processes.filter((p) => p.role.split(',').includes(role)).map((p) => p.url);
    return {
      dir,
      get urls() {
        return { api: urlsOf('api'), ingest: urlsOf('ingest'), indexer: urlsOf('indexer'), database: postgres.url, rpc: anvil.rpcUrl, mqtt: mqtt.url, nats: nats.url };
      },
      processes,
      byRole: (role) => processes.filter((p) => p.role.split(',').includes(role)),
      postgres,
      nats,
      mqtt,
      anvil,
      chain: { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, deployment, deploymentFile },
      env,
      kekFile,
      keyringFile,
      addNode,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
