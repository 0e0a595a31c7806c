// The capabilities a node runs, in start order. Each feature appends its entry here.
import type { Capability } from './capability.ts';
import { identityCapability } from '../identity/identity-capability.ts';
import { emulatorCapability } from '../../emulator/node-capability.ts';
import { licensingCapability } from '../licensing/licensing-capability.ts';
import { ingestCapability } from '../ingest/ingest-capability.ts';
import { ownerAuthCapability } from '../api/auth/owner-auth-capability.ts';
import { activityCapability } from '../activity/activity-capability.ts';
import { appAccessCapability } from '../api/apps/app-access-capability.ts';
import { liveCapability } from '../live/live-capability.ts';
import { webhookCapability } from '../webhooks/webhook-capability.ts';
import { connectorsCapability } from '../connectors/connectors-capability.ts';
import { ownersCapability } from '../owners/owners-capability.ts';
import { consoleCapability } from '../console/console-capability.ts';
import { unionsCapability } from '../unions/unions-capability.ts';
import { rewardsCapability } from '../rewards/rewards-capability.ts';
import { licensingMetricsCapability } from '../licensing/metrics/metrics-capability.ts';
import { webCapability } from '../webapp/web-capability.ts';

export const capabilities: Capability[] = [
  // Vehicle identity and consent mirrored from the chain; relayer; identity GraphQL.
  identityCapability,
  // Licenses, stake, challenges and DIMO Pay mirrored from the chain; the license gate for data access.
  licensingCapability,
  // Signed vehicle data in (HTTP, MQTT, mTLS), verified against the identity mirror, encrypted into the vault.
  ingestCapability,
  // Owner sign-in (SIWE → owner JWT), /v1/owner/me; requireOwner for every owner route.
  ownerAuthCapability,
  // The owner's hash-chained, encrypted activity log (/v1/activity); records grants, connections, collection.
  activityCapability,
  // Apps: developer sign-in with license API keys, token exchange, JWKS, telemetry GraphQL at /query.
  appAccessCapability,
  // Live telemetry streams (graphql-ws subscription on /query, closed within a second of revocation) and webhooks (/v1/webhooks: CEL triggers, signed, retried, logged).
  liveCapability,
  webhookCapability,
  // OEM emulator with a small simulated fleet (dev mode only).
  emulatorCapability,
  // Tesla and Smartcar connectors: onboarding, polling, owner control, commands (after the emulator, whose URLs dev mode uses).
  connectorsCapability,
  // The owner dashboard's API: email accounts with an embedded wallet, vehicle data, glovebox, consent inbox, export, deletion.
  ownersCapability,
  // Developer and licensing consoles: license reads, applications, the licensing team's transactions.
  consoleCapability,
  // Data unions (owners' choices) and anonymized aggregates for licensed apps (k-anonymous, recorded, in owners' logs).
  unionsCapability,
  // Weekly rewards: owners' earnings and every computed week (/v1/owner/rewards, /v1/rewards/weeks).
  rewardsCapability,
  // Monthly licensing metrics (/v1/metrics/licensing) and the on-chain decision history behind them.
  licensingMetricsCapability,
  // The web dashboard (web/dist) at `/`, rebuilt at start when web/ changed; last, so its catch-all route never shadows an API route.
  webCapability,
];
