// The node's HTTP server. Routes are plugins registered by the modules that own them; this file only
// builds the server and the cross-cutting parts (errors, request metrics, health, metrics).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HealthRegistry } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { installErrorHandler } from './error-handler.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  health: HealthRegistry;
  bodyLimitBytes?: number;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request log lines would carry URLs with token ids; request metrics cover traffic instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? 4 * 1024 * 1024,
    trustProxy: false,
  });
  installErrorHandler(app);

  const requests = options.metrics.histogram(
    'opendimo_http_request_duration_seconds',
    'HTTP request duration by route and status',
    ['method', 'route', 'status'],
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: URLs may carry token ids and would explode label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await app.register(healthRoutes, { health: options.health });
  await app.register(metricsRoutes, { metrics: options.metrics });
  return app;
}
