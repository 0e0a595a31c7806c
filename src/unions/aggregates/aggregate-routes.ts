// Anonymized aggregates for licensed apps, without per-owner consent:
//   GET /v1/aggregates                           → {datasets, k, h3Resolution}   (public)
//   GET /v1/aggregates/:dataset?month=YYYY-MM     (soh-by-model-year, charging-sessions-by-cell-hour)
//   GET /v1/aggregates/:dataset?from=YYYY-MM-DD&to=YYYY-MM-DD   (trips-by-region-day)
//       app-authenticated (app-auth.ts) → {releaseId, dataset, params, at, k, epsilon, h3Resolution, groups, totals}
//   GET /v1/aggregates/releases/:releaseId        → the released part of a past release (public)
// Groups below k are not in the answer and not in its totals.
import type { FastifyInstance } from 'fastify';
import { OdmError } from '../../core/errors.ts';
import type { CapabilityContext } from '../../node/capability.ts';
import { UNIONS } from '../union-catalog.ts';
import { getUnionsRuntime } from '../unions-runtime.ts';
import { authenticateApp } from './app-auth.ts';
import { DATASETS } from './datasets.ts';

export function aggregateRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  app.get('/v1/aggregates', async () => {
    const settings = getUnionsRuntime(ctx.services()).aggregates.settings;
    return {
      k: settings.k,
      h3Resolution: settings.h3Resolution,
      datasets: DATASETS.map((d) => {
        const union = UNIONS.find((u) => u.id === d.unionId)!;
        const description = union.datasets.find((x) => x.id === d.id)!;
        return { ...description, union: d.unionId, epsilon: settings.epsilonFor(d.id) ?? null, query: d.id === 'trips-by-region-day' ? ['from', 'to'] : ['month'] };
      }),
    };
  });

  app.get('/v1/aggregates/releases/:releaseId', async (request) => {
    const raw = (request.params as { releaseId: string }).releaseId;
    if (!/^[1-9]\d{0,15}$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'releaseId must be a release number');
    const r = await getUnionsRuntime(ctx.services()).releases.get(Number(raw));
    if (!r) throw new OdmError('ODM_ERR_NOT_FOUND', `no release ${raw}`);
    return { releaseId: r.releaseId, dataset: r.dataset, params: r.params, at: r.at, k: r.k, epsilon: r.epsilon, app: { licenseId: r.app.licenseId }, groups: r.groups, totals: r.totals };
  });

  app.get('/v1/aggregates/:dataset', async (request) => {
    const services = ctx.services();
    const appIdentity = await authenticateApp(request, services);
    const dataset = (request.params as { dataset: string }).dataset;
    return getUnionsRuntime(services).aggregates.release(dataset, request.query as Record<string, unknown>, appIdentity);
  });
}
