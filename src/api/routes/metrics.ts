import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../core/metrics.ts';

/** GET /metrics in Prometheus text format. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.render()),
  );
};
