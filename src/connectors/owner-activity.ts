// What the connectors tell owners through their activity log: OEM accounts linked, connections paused,
// resumed and disconnected, logins that expired (reauth needed), and app commands. Connection devices
// minted and burned on chain are recorded by the activity capability from the mirror.
import type { ActivityEntryInput } from '../activity/activity-log.ts';
import { getActivityLog } from '../activity/activity-log.ts';
import type { Logger } from '../core/logger.ts';
import type { NodeServices } from '../node/start-node.ts';

/** Appends, or logs why it could not (the operation it reports has already happened). */
export async function recordActivity(services: NodeServices, logger: Logger, entry: ActivityEntryInput): Promise<void> {
  try {
    await getActivityLog(services).append(entry);
  } catch (err) {
    logger.warn({ err, kind: entry.kind }, 'could not record owner activity');
  }
}

/** Throws ODM_ERR_UNAVAILABLE when the activity log is not running (commands must be recorded). */
export function requireActivityLog(services: NodeServices): void {
  getActivityLog(services);
}
