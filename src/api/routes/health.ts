import type { FastifyPluginAsync } from 'fastify';
import type { HealthRegistry } from '../../core/health.ts';

/** GET /health: 200 when every component is ok, 503 (same body) when any is degraded. */
export const healthRoutes: FastifyPluginAsync<{ health: HealthRegistry }> = async (app, { health }) => {
  app.get('/health', async (_request, reply) => {
    const report = await health.report();
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  });
};
