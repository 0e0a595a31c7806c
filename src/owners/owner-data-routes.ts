// The owner's dashboard API (Bearer owner token on every route; an owner only ever reaches their own data):
//   GET    /v1/owner/vehicles                              → {vehicles: [summary], pending: [connection]}
//   GET    /v1/owner/vehicles/:tokenId                     → summary (connections, newest values, position, privacy)
//   GET    /v1/owner/vehicles/:tokenId/signals?names=a,b&from=&to=&points=  → {from, to, series: {name: {ts, v, min?, max?}}}
//   GET    /v1/owner/vehicles/:tokenId/trips?from=&to=     → {from, to, points, redacted, trips}
//   GET    /v1/owner/vehicles/:tokenId/remaining           → what the node holds for the vehicle (counts)
//   DELETE /v1/owner/vehicles/:tokenId                     {confirm: "delete vehicle <id>"} → {deleted, remaining}
//   DELETE /v1/owner/account                               {confirm: "delete my account"}   → {deleted, remaining}
//   GET    /v1/owner/export.zip                            → application/zip (everything, JSON + CSV)
//   GET    /v1/owner/signal-catalog                        → {signals: [{name, unit, type, location}]}
// Times are epoch ms; without from/to a range is the 24 h before the vehicle's newest data.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireOwner } from '../api/auth/require-owner.ts';
import { ownerGrants } from '../consent-inbox/owner-grants.ts';
import { OdmError } from '../core/errors.ts';
import { getIngestService } from '../ingest/ingest-capability.ts';
import { LOCATION } from '../ingest/normalize/signal-catalog.ts';
import type { CapabilityContext } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { ownedVehicle } from './data/owned-vehicle.ts';
import { OwnerVehicles } from './data/owner-vehicles.ts';
import type { RecentTelemetry } from './data/recent-telemetry.ts';
import { eraseAccount, eraseVehicle } from './erase/owner-erase.ts';
import { vehicleRemains } from './erase/what-remains.ts';
import { buildOwnerExport } from './export/owner-export.ts';
import { parseBody, tokenIdParam } from './parse-body.ts';

const confirmBody = z.strictObject({ confirm: z.string().max(100) });

function time(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Date.parse(String(raw));
  if (!Number.isFinite(v)) throw new OdmError('ODM_ERR_VALIDATION', `${name} must be epoch milliseconds or an ISO 8601 time`);
  return v;
}

export function ownerDataRoutes(app: FastifyInstance, ctx: CapabilityContext, recent: () => RecentTelemetry): void {
  const me = async (request: FastifyRequest): Promise<{ services: NodeServices; owner: string }> => {
    const services = ctx.services();
    return { services, owner: (await requireOwner(request, services)).address };
  };
  const vehicles = (services: NodeServices) => new OwnerVehicles(services, recent());

  app.get('/v1/owner/vehicles', async (request) => {
    const { services, owner } = await me(request);
    return vehicles(services).list(owner);
  });

  app.get('/v1/owner/vehicles/:tokenId', async (request) => {
    const { services, owner } = await me(request);
    return vehicles(services).summary(owner, tokenIdParam(request.params));
  });

  app.get('/v1/owner/vehicles/:tokenId/signals', async (request) => {
    const { services, owner } = await me(request);
    const q = request.query as Record<string, string | undefined>;
    const names = (q.names ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0 || names.length > 12) throw new OdmError('ODM_ERR_VALIDATION', 'names must list 1 to 12 signals, comma-separated');
    const catalog = getIngestService(services).catalog;
    const unknown = names.filter((n) => !catalog.byName.has(n));
    if (unknown.length) throw new OdmError('ODM_ERR_VALIDATION', `unknown signals: ${unknown.join(', ')}`);
    const points = q.points === undefined ? undefined : Number(q.points);
    const from = time('from', q.from);
    const to = time('to', q.to);
    return vehicles(services).signals(owner, tokenIdParam(request.params), names, {
      ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(points !== undefined && Number.isFinite(points) ? { points } : {}),
    });
  });

  app.get('/v1/owner/vehicles/:tokenId/trips', async (request) => {
    const { services, owner } = await me(request);
    const q = request.query as Record<string, string | undefined>;
    const from = time('from', q.from);
    const to = time('to', q.to);
    return vehicles(services).trips(owner, tokenIdParam(request.params), { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  });

  app.get('/v1/owner/vehicles/:tokenId/remaining', async (request) => {
    const { services, owner } = await me(request);
    const tokenId = tokenIdParam(request.params);
    const v = ownedVehicle(services, owner, tokenId);
    return vehicleRemains(services, owner, String(tokenId), v.version);
  });

  app.delete('/v1/owner/vehicles/:tokenId', async (request) => {
    const { services, owner } = await me(request);
    const { confirm } = parseBody(confirmBody, request.body);
    return eraseVehicle(services, recent(), owner, tokenIdParam(request.params), confirm);
  });

  app.delete('/v1/owner/account', async (request) => {
    const { services, owner } = await me(request);
    const { confirm } = parseBody(confirmBody, request.body);
    return eraseAccount(services, recent(), owner, confirm);
  });

  app.get('/v1/owner/export.zip', async (request, reply) => {
    const { services, owner } = await me(request);
    const { zip, filename } = await buildOwnerExport(services, owner, await ownerGrants(services, owner));
    void reply.type('application/zip').header('content-disposition', `attachment; filename="${filename}"`).header('content-length', String(zip.length)).header('cache-control', 'no-store');
    return reply.send(zip);
  });

  app.get('/v1/owner/signal-catalog', async (_request, reply) => {
    const catalog = getIngestService(ctx.services()).catalog;
    void reply.header('cache-control', 'public, max-age=3600');
    return { signals: catalog.signals.map((s) => ({ name: s.name, unit: s.unit ?? null, type: s.type, location: s.privilege === LOCATION })) };
  });
}
