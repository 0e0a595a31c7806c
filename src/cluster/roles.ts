// What one process does in a cluster. `all` (the default) is the single-process node; a cluster runs
// several processes, each with some of the roles, sharing PostgreSQL, NATS and the MQTT broker.
//   api      the HTTP API, dashboard, live streams and webhooks
//   ingest   POST /v1/ingest, MQTT and mTLS ingest
//   indexer  candidates for the leader lease: the one holding it writes the chain mirrors and runs the
//            singleton jobs (connector polling, vault compaction, retention, rewards)
export const ROLES = ['api', 'ingest', 'indexer'] as const;
export type Role = (typeof ROLES)[number];

export function describeRoles(roles: ReadonlySet<Role>): string {
  return roles.size === ROLES.length ? 'all' : ROLES.filter((r) => roles.has(r)).join(',');
}
