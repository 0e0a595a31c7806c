// The owner's retention setting (Bearer owner token), for all their vehicles:
//   GET /v1/owner/retention  → {days: number | null, min, max}   (null: kept until the owner deletes it)
//   PUT /v1/owner/retention  ← {days: number | null}             → the same as GET
// A days value outside min–max answers ODM_ERR_RETENTION_INVALID; the leader's retention sweep
// (src/vault/retention-sweeper.ts) deletes telemetry older than the window.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getActivityLog } from '../activity/activity-log.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, RetentionSettings, validateRetentionDays } from '../vault/retention.ts';
import { parseBody } from './parse-body.ts';

const body = z.strictObject({ days: z.unknown() }).refine((b) => 'days' in b, { message: 'days is required (a number of days, or null)' });

export function retentionRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  const view = (days: number | null) => ({ days, min: RETENTION_MIN_DAYS, max: RETENTION_MAX_DAYS });

  app.get('/v1/owner/retention', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    return view(await new RetentionSettings(services.store, services.clock).get(address));
  });

  app.put('/v1/owner/retention', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const days = validateRetentionDays(parseBody(body, request.body).days);
    await new RetentionSettings(services.store, services.clock).set(address, days);
    try {
      await getActivityLog(services).append({ owner: address, kind: 'privacy', detail: { retentionDays: days } });
    } catch (err) {
      request.log.warn({ err }, 'retention change not recorded in the activity log');
    }
    return view(days);
  });
}
