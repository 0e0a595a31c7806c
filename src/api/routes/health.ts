import type { FastifyPluginAsync } from 'fastify';
import { OdmError } from '../../core/errors.ts';
import type { HealthRegistry } from '../../core/health.ts';

/**
 * GET /health: 200 when every component is ok, 503 (same body) when any is degraded. `?only=db,chain`
 * decides the status by those checks alone (the body still has all): a load balancer keeps sending
 * records to an ingest process that stores them while the bus is down (`only=db,chain,mqtt`).
 */
export const healthRoutes: FastifyPluginAsync<{ health: HealthRegistry }> = async (app, { health }) => {
  app.get('/health', async (request, reply) => {
    const raw = (request.query as { only?: unknown }).only;
    let only: Set<string> | undefined;
    if (raw !== undefined) {
      const names = typeof raw === 'string' ? raw.split(',').map((n) => n.trim()).filter(Boolean) : [];
      const unknown = names.filter((n) => !health.has(n));
      if (names.length === 0 || unknown.length > 0) {
        throw new OdmError('ODM_ERR_VALIDATION', `only= must name checks this process has${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`, { details: { unknown } });
      }
      only = new Set(names);
    }
    const report = await health.report(undefined, only);
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  });
};
