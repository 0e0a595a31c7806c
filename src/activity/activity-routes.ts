// The owner's activity log over HTTP (owner bearer token from /v1/owner/auth/verify):
//   GET /v1/activity?kind=read,grant&vehicle=<tokenId>&app=<licenseId|0x grantee>&from=&to=&limit=&cursor=&order=desc|asc
//       → {entries: [{seq, at, kind, vehicleId?, app?, privileges?, detail?, unreadable?}], nextCursor?}
//   GET /v1/activity/verify → {ok, entries, brokenAt?}
// from/to: epoch ms or ISO 8601 (from inclusive, to exclusive). An owner only ever reads their own log.
import type { FastifyInstance } from 'fastify';
import { OdmError } from '../core/errors.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { getActivityLog, type ActivityKind, type ActivityQuery } from './activity-log.ts';

function one(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new OdmError('ODM_ERR_VALIDATION', `${name} must be given once`);
  return v;
}

function time(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new OdmError('ODM_ERR_VALIDATION', `${name} must be epoch milliseconds or an ISO 8601 time`);
  return ms;
}

export function parseActivityQuery(raw: unknown): ActivityQuery {
  const query = (raw ?? {}) as Record<string, unknown>;
  const out: ActivityQuery = {};
  const kinds = query.kind === undefined ? [] : (Array.isArray(query.kind) ? query.kind : [query.kind]).flatMap((k) => String(k).split(',')).filter(Boolean);
  if (kinds.length > 0) out.kinds = kinds as ActivityKind[];
  const vehicle = one(query, 'vehicle');
  if (vehicle !== undefined) {
    if (!/^\d{1,78}$/.test(vehicle)) throw new OdmError('ODM_ERR_VALIDATION', 'vehicle must be a decimal token id');
    out.vehicleId = vehicle;
  }
  const app = one(query, 'app');
  if (app !== undefined) out.app = app;
  const from = time('from', one(query, 'from'));
  if (from !== undefined) out.from = from;
  const to = time('to', one(query, 'to'));
  if (to !== undefined) out.to = to;
  const limit = one(query, 'limit');
  if (limit !== undefined) out.limit = /^\d+$/.test(limit) ? Number(limit) : Number.NaN;
  const cursor = one(query, 'cursor');
  if (cursor !== undefined) out.cursor = cursor;
  const order = one(query, 'order');
  if (order !== undefined) out.order = order as 'asc' | 'desc';
  return out;
}

export function activityRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  app.get('/v1/activity', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    return getActivityLog(services).list(address, parseActivityQuery(request.query));
  });

  app.get('/v1/activity/verify', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    return getActivityLog(services).verify(address);
  });
}
