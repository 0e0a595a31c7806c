// Request bodies of /v1/webhooks, in DIMO's shape (vehicle-triggers-api): create takes service,
// metricName, condition, coolDownPeriod, targetURL, status, verificationToken, description, displayName;
// update takes any of condition, coolDownPeriod, targetURL (with verificationToken: the new target is
// verified), status, description, displayName. Both spellings DIMO has used are accepted: service
// `telemetry.signals` or `signals`, metricName `speed` or `vss.speed`.
import { z } from 'zod';
import { OdmError } from '../core/errors.ts';
import type { SignalCatalog } from '../ingest/normalize/signal-catalog.ts';
import { WEBHOOK_SERVICE } from './webhook-payload.ts';

const status = z.enum(['enabled', 'disabled']);
const cooldown = z.number().int().min(0).max(30 * 86_400);
const text = (max: number) => z.string().max(max);

export const createSchema = z.object({
  service: z.string().min(1).max(64),
  metricName: z.string().min(1).max(128),
  condition: z.string().min(1).max(1000),
  coolDownPeriod: cooldown,
  targetURL: z.string().min(1).max(2048),
  status: status.optional(),
  verificationToken: z.string().min(1).max(512),
  description: text(1000).optional(),
  displayName: text(200).optional(),
});

export const updateSchema = z
  .object({
    condition: z.string().min(1).max(1000).optional(),
    coolDownPeriod: cooldown.optional(),
    targetURL: z.string().min(1).max(2048).optional(),
    verificationToken: z.string().min(1).max(512).optional(),
    status: status.optional(),
    description: text(1000).optional(),
    displayName: text(200).optional(),
  })
  .refine((b) => b.targetURL === undefined || b.verificationToken !== undefined, { message: 'a new targetURL needs its verificationToken', path: ['verificationToken'] });

export type CreateBody = z.infer<typeof createSchema>;
export type UpdateBody = z.infer<typeof updateSchema>;

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new OdmError('ODM_ERR_VALIDATION', `invalid request: ${problems.join('; ')}`, { status: 400, details: { problems } });
  }
  return r.data;
}

/** The service and catalogue signal a webhook watches. */
export function normalizeMetric(catalog: SignalCatalog, service: string, metricName: string): { service: string; metricName: string } {
  if (service === 'telemetry.events' || service === 'events') {
    throw new OdmError('ODM_ERR_VALIDATION', 'event webhooks are not supported on this node; use service telemetry.signals', { status: 400, details: { service } });
  }
  if (service !== WEBHOOK_SERVICE && service !== 'signals') throw new OdmError('ODM_ERR_VALIDATION', `unknown service ${service}; use telemetry.signals`, { status: 400, details: { service } });
  const name = metricName.startsWith('vss.') ? metricName.slice(4) : metricName;
  if (!catalog.byName.has(name)) {
    throw new OdmError('ODM_ERR_WEBHOOK_METRIC_UNKNOWN', `unknown signal ${metricName}; GET /v1/webhooks/signals lists them`, { status: 400, details: { metricName } });
  }
  return { service: WEBHOOK_SERVICE, metricName: name };
}
