// Starts one node: every component either embedded (the default) or external (configured), wired with
// the shared services. The HTTP server comes up first so /health can say what is still starting.
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { toOdmError, OdmError } from '../core/errors.ts';
import { HealthRegistry } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import { createMetrics, type Metrics } from '../core/metrics.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { NodeConfig } from '../config/schema.ts';
import { createHttpServer } from '../api/http-server.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import { createNatsBus } from '../bus/nats-bus.ts';
import type { Bus } from '../bus/bus.ts';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.ts';
import { connectExternalBroker } from '../mqtt/external-broker.ts';
import type { MqttService } from '../mqtt/mqtt-service.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { ensureMeta, setMeta } from '../store/meta.ts';
import { loadOrCreateKek } from '../vault/kek-file.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { ShutdownStack } from './shutdown-stack.ts';
import { startChain, type ChainService } from './start-chain.ts';
import { capabilities as defaultCapabilities } from './capabilities.ts';
import { capabilityParts, type Capability } from './capability.ts';
import { describeRoles, type Role } from '../cluster/roles.ts';
import type { LeaderLease } from '../cluster/leader-lease.ts';
import { openLeaderLease } from '../cluster/open-leader-lease.ts';

export interface NodeServices {
  config: NodeConfig;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  health: HealthRegistry;
  store: Store;
  bus: Bus;
  mqtt: MqttService;
  chain: ChainService;
  kek: Buffer;
  http: FastifyInstance;
  /** What this process does (config.roles); `all` in a single-process node. */
  roles: ReadonlySet<Role>;
  /** Whether this process is the one running the chain mirrors' writer and the singleton jobs. */
  leader: LeaderLease;
}

export interface NodeHandle {
  services: NodeServices;
  urls: { http: string; health: string; metrics: string; rpc: string; mqtt: string };
  stop(): Promise<void>;
}

export interface StartNodeOptions {
  logger: Logger;
  metrics?: Metrics;
  clock?: Clock;
  /** Defaults to every capability in capabilities.ts. */
  capabilities?: Capability[];
}

export async function startNode(config: NodeConfig, shared: StartNodeOptions): Promise<NodeHandle> {
  const logger = shared.logger;
  const metrics = shared.metrics ?? createMetrics();
  const clock = shared.clock ?? systemClock;
  const started = clock.now();
  const lock = acquireDataDirLock(config.dataDir);
  const shutdown = new ShutdownStack(logger);
  shutdown.push('lock', () => lock.release());

  try {
    const kek = loadOrCreateKek(config.kekFile);
    // Degraded until every capability has started, not only the components.
    const health = new HealthRegistry({ ready: false });
    for (const name of ['chain', 'db', 'mqtt', 'bus']) health.expect(name);

    const http = await createHttpServer({ logger, metrics, health });
    shutdown.push('http', () => http.close());
    const roles: ReadonlySet<Role> = new Set(config.roles);
    const features = shared.capabilities ?? defaultCapabilities;
    let ready: NodeServices | undefined;
    const context = {
      roles,
      config,
      services(): NodeServices {
        if (!ready) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the node is starting; try again in a moment');
        return ready;
      },
    };
    for (const feature of features) if (capabilityParts(feature, roles).routes) await feature.routes?.(http, context);
    await listen(http, config);
    const httpUrl = `http://${formatHost(config.http.host)}:${boundPort(http)}`;

    // The three slow parts start side by side; each registers its stop as soon as it is up so a
    // failure in one still stops the others.
    const [store, mqtt, chain] = await Promise.all([
      openStore({ dataDir: config.dataDir, logger: logger.child({ component: 'store' }), ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) }).then((s) => {
        shutdown.push('db', () => s.close());
        health.set('db', s.probe);
        return s;
      }),
      (config.mqtt.url
        ? connectExternalBroker({ url: config.mqtt.url, logger: logger.child({ component: 'mqtt' }) })
        : startEmbeddedBroker({ host: config.mqtt.host, port: config.mqtt.port, logger: logger.child({ component: 'mqtt' }) })
      ).then((m) => {
        shutdown.push('mqtt', () => m.stop());
        health.set('mqtt', m.probe);
        return m;
      }),
      startChain(config, logger.child({ component: 'chain' })).then((c) => {
        shutdown.push('chain', () => c.stop());
        health.set('chain', c.probe);
        return c;
      }),
    ]);

    // The NATS bus keeps what it cannot deliver in the store's outbox, so it starts once the store is open.
    const busLogger = logger.child({ component: 'bus' });
    const bus: Bus = config.natsUrl
      ? await createNatsBus({ url: config.natsUrl, logger: busLogger, metrics, store, kek })
      : createMemoryBus({ logger: busLogger });
    shutdown.push('bus', () => bus.close());
    health.set('bus', bus.probe);

    await ensureMeta(store.db, 'first_started_at', String(started), clock.now());
    await setMeta(store.db, 'last_started_at', String(started), clock.now());

    const up = metrics.gauge('opendimo_node_info', 'Node build and topology', ['mode', 'roles', 'db', 'chain', 'mqtt', 'bus', 'host']);
    up.set({ mode: config.mode, roles: describeRoles(roles), db: store.dialect, chain: chain.kind, mqtt: mqtt.kind, bus: bus.kind, host: hostname() }, 1);

    const leader: LeaderLease = await openLeaderLease({ roles, store, databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
    shutdown.push('leader', () => leader.stop());
    health.set('leader', leader.probe);

    const services: NodeServices = { config, logger, metrics, clock, health, store, bus, mqtt, chain, kek, http, roles, leader };
    for (const feature of features) {
      if (!capabilityParts(feature, roles).start) continue;
      const running = await feature.start?.(services);
      if (running) shutdown.push(feature.name, () => running.stop());
    }
    ready = services;
    health.markReady();
    const urls = { http: httpUrl, health: `${httpUrl}/health`, metrics: `${httpUrl}/metrics`, rpc: chain.rpcUrl, mqtt: mqtt.url };
    logger.info({ ms: clock.now() - started }, 'node started');
    return { services, urls, stop: () => shutdown.run() };
  } catch (err) {
    await shutdown.run();
    throw toOdmError(err);
  }
}

async function listen(http: FastifyInstance, config: NodeConfig): Promise<void> {
  try {
    await http.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new OdmError(
        'ODM_ERR_PORT_IN_USE',
        `port ${config.http.port} on ${config.http.host} is already in use; choose another with --port or OPENDIMO_HTTP_PORT`,
        { cause: err, details: { host: config.http.host, port: config.http.port } },
      );
    }
    throw err;
  }
}

function boundPort(http: FastifyInstance): number {
  const address = http.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
