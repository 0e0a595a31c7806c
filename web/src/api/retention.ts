// The owner's retention setting (src/owners/retention-routes.ts): one window for all their vehicles.
import { api } from './http.ts';
import type { RetentionSetting } from './types.ts';

export function getRetention(signal?: AbortSignal): Promise<RetentionSetting> {
  return api<RetentionSetting>('/v1/owner/retention', signal ? { signal } : {});
}

/** days: whole days to keep (the node refuses values outside min–max with ODM_ERR_RETENTION_INVALID), or null to keep everything. */
export function setRetention(days: number | null): Promise<RetentionSetting> {
  return api<RetentionSetting>('/v1/owner/retention', { method: 'PUT', body: { days } });
}
