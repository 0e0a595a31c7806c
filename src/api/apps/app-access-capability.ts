// How app access joins the node: developer sign-in with license API keys, the token exchange and JWKS
// (app-routes.ts), and the telemetry GraphQL at /query (../telemetry). Starts after licensing (API keys
// and the gate), identity (consent) and ingest (the vault); the app-token key lives in the database,
// sealed with the KEK, shared by every process of a cluster. Options (token lifetimes, rate limit, query cost, cache size) default to
// DEFAULT_APP_ACCESS_OPTIONS; tests pass their own to createAppAccessCapability.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { getActivityLog } from '../../activity/activity-log.ts';
import { getIngestService } from '../../ingest/ingest-capability.ts';
import { getLicensingMirror } from '../../licensing/licensing-services.ts';
import type { Capability } from '../../node/capability.ts';
import { loadOrCreateSigningKey } from '../auth/owner-signing-key.ts';
import { RecentLatest } from '../telemetry/recent-latest.ts';
import { signalFields } from '../telemetry/signal-fields.ts';
import { registerTelemetryGraphql } from '../telemetry/telemetry-graphql.ts';
import { setTelemetryRuntime } from '../telemetry/telemetry-runtime.ts';
import { TelemetryView } from '../telemetry/telemetry-view.ts';
import { DEFAULT_APP_ACCESS_OPTIONS, setAppAccess, type AppAccessOptions, type AppAccessRuntime } from './app-access-runtime.ts';
import { appRoutes } from './app-routes.ts';
import { DeveloperAuth } from './developer-auth.ts';
import { RateLimiter } from './rate-limiter.ts';
import { ReadRecorder } from './read-recorder.ts';
import { TokenCache } from './token-cache.ts';

/** The file older nodes kept the app token key in (imported into the database on first start). */
export function appTokenKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'app-jwt-key.json');
}

/** host:port apps reach this node at (loopback and wildcard listeners answer as localhost). */
function authorityOf(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `localhost:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function createAppAccessCapability(overrides: Partial<AppAccessOptions> = {}): Capability {
  const options: AppAccessOptions = { ...DEFAULT_APP_ACCESS_OPTIONS, ...overrides };
  return {
    name: 'app-access',

    async routes(app, ctx) {
      await appRoutes(app, ctx);
      await registerTelemetryGraphql(app, ctx);
    },

    async start(services) {
      const { config, clock, chain, store } = services;
      const logger = services.logger.child({ component: 'app-access' });
      const key = await loadOrCreateSigningKey(store.db, services.kek, clock.now(), {
        purpose: 'app-jwt-key', label: 'the app token key', consequence: 'invalidate every developer and vehicle token', legacyPath: appTokenKeyPath(config.dataDir),
      });
      const port = (services.http.server.address() as AddressInfo | null)?.port ?? config.http.port;
      const authority = authorityOf(config.http.host, port);
      const jwk = await exportJWK(key.publicKey);
      const reads = new ReadRecorder({ log: () => getActivityLog(services), clock, logger, windowMs: options.readCoalesceMs });
      const rt: AppAccessRuntime = {
        key,
        issuer: `http://${authority}`,
        chainId: chain.chainId,
        vehicleContract: (chain.contracts.VehicleId ?? '').toLowerCase(),
        options,
        rateLimiter: new RateLimiter(options.rateLimit),
        reads,
        tokens: new TokenCache(),
        auth: undefined as unknown as DeveloperAuth,
        jwks: { keys: [{ ...jwk, kid: key.kid, alg: key.alg, use: 'sig' }] },
      };
      rt.auth = new DeveloperAuth({ store, clock, runtime: () => rt, mirror: () => getLicensingMirror(services), authority });
      setAppAccess(services, rt);

      const stops: Array<() => void> = [];
      let vault;
      try {
        vault = getIngestService(services).vault;
      } catch {
        logger.warn('ingest is not running on this node: the telemetry API has no vault to read');
      }
      if (vault) {
        const view = new TelemetryView({ store, vault, cacheBytes: options.telemetryCacheBytes });
        const recent = new RecentLatest();
        stops.push(services.bus.subscribe('telemetry.*', (payload) => recent.observe(payload)));
        vault.shredder.onShredded((vehicleId) => {
          view.forget(vehicleId);
          recent.forget(vehicleId);
        });
        setTelemetryRuntime(services, { view, recent, fields: signalFields(getIngestService(services).catalog), maxCost: options.maxQueryCost });
      }
      logger.info({ issuer: rt.issuer, kid: key.kid }, 'app access ready');
      return {
        async stop() {
          for (const stop of stops) stop();
          setTelemetryRuntime(services, undefined);
          setAppAccess(services, undefined);
          await reads.close();
        },
      };
    },
  };
}

export const appAccessCapability = createAppAccessCapability();
