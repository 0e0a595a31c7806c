// Kysely table types for everything the store holds. Each module's tables live in ./schema/<module>.ts
// beside a migration under ./migrations; the two must agree. Conventions that keep both dialects
// returning the same JS values: times are bigint epoch milliseconds (read back as number), bytes are
// Buffer, JSON is stored and read back as a JSON string, booleans are integer 0/1.
import type { ColumnType, Generated } from 'kysely';
import type { ChainCursorsTable, ChainBlocksTable, ChainUndoTable } from './schema/chain-indexer.ts';
import type { IdentityVehiclesTable, IdentitySyntheticDevicesTable, IdentityAftermarketDevicesTable, IdentityConnectionsTable, IdentityManufacturersTable, IdentityGrantsTable, IdentityAccountGrantsTable, IdentitySupportedAssetsTable } from './schema/identity.ts';
import type { LicensingLicensesTable, LicensingParamsTable, LicensingBansTable, LicensingLinksTable, LicensingRelayersTable, LicensingChallengesTable, LicensingSubscriptionsTable, LicensingPaymentsTable } from './schema/licensing.ts';
import type { VaultKeysTable, IngestDedupTable, VaultLogTable, VaultChunksTable, VaultLatestTable, VaultLocationChunksTable, VaultLocationLatestTable, PrivacySettingsTable, OwnerRetentionTable } from './schema/vault.ts';
import type { ConnectorSecretsTable, ConnectorAccountsTable, ConnectorVehiclesTable } from './schema/connectors.ts';
import type { OwnerAuthNoncesTable, ActivityEntriesTable, ActivityHeadsTable } from './schema/owners.ts';
import type { OwnerAccountsTable, GloveboxDocumentsTable, ConsentDocumentsTable, LicenseApplicationsTable } from './schema/dashboard.ts';
import type { UnionMembershipsTable, AggregateReleasesTable, RewardsWeeksTable, RewardsInputsTable, RewardsEntriesTable, LicensingDecisionsTable, LicensingMetricsMonthsTable } from './schema/unions-rewards.ts';
import type { LicenseSignersTable, LicenseRedirectUrisTable, AppAuthStatesTable } from './schema/app-access.ts';
import type { NodeKeysTable } from './schema/node-keys.ts';
import type { WebhooksTable, WebhookSubscriptionsTable, WebhookFiresTable, WebhookDeliveriesTable, WebhookPreviousTable } from './schema/webhooks.ts';
import type { BusOutboxTable } from './schema/bus.ts';

export type * from './schema/chain-indexer.ts';
export type * from './schema/identity.ts';
export type * from './schema/licensing.ts';
export type * from './schema/vault.ts';
export type * from './schema/connectors.ts';
export type * from './schema/owners.ts';
export type * from './schema/dashboard.ts';
export type * from './schema/unions-rewards.ts';
export type * from './schema/app-access.ts';
export type * from './schema/webhooks.ts';
export type * from './schema/node-keys.ts';
export type * from './schema/bus.ts';

/** Small key/value facts about this node: its id, first-start time, schema facts. */
export interface NodeMetaTable {
  key: string;
  value: string;
  /** Epoch milliseconds of the last write. */
  updated_at: number;
}

/** Kysely's migration bookkeeping; read-only for the application. */
export interface KyselyMigrationTable {
  name: ColumnType<string, never, never>;
  /** ISO-8601 time the migration ran. */
  timestamp: ColumnType<string, never, never>;
}

export interface KyselyMigrationLockTable {
  id: ColumnType<string, never, never>;
  is_locked: ColumnType<number, never, never>;
}


export interface Database {
  node_meta: NodeMetaTable;
  node_keys: NodeKeysTable;
  kysely_migration: KyselyMigrationTable;
  kysely_migration_lock: KyselyMigrationLockTable;
  chain_cursors: ChainCursorsTable;
  chain_blocks: ChainBlocksTable;
  chain_undo: ChainUndoTable;
  identity_vehicles: IdentityVehiclesTable;
  identity_synthetic_devices: IdentitySyntheticDevicesTable;
  identity_aftermarket_devices: IdentityAftermarketDevicesTable;
  identity_connections: IdentityConnectionsTable;
  identity_manufacturers: IdentityManufacturersTable;
  identity_grants: IdentityGrantsTable;
  identity_account_grants: IdentityAccountGrantsTable;
  identity_supported_assets: IdentitySupportedAssetsTable;
  licensing_licenses: LicensingLicensesTable;
  licensing_params: LicensingParamsTable;
  licensing_bans: LicensingBansTable;
  licensing_links: LicensingLinksTable;
  licensing_relayers: LicensingRelayersTable;
  licensing_challenges: LicensingChallengesTable;
  licensing_subscriptions: LicensingSubscriptionsTable;
  licensing_payments: LicensingPaymentsTable;
  vault_keys: VaultKeysTable;
  ingest_dedup: IngestDedupTable;
  vault_log: VaultLogTable;
  vault_chunks: VaultChunksTable;
  vault_latest: VaultLatestTable;
  vault_location_chunks: VaultLocationChunksTable;
  vault_location_latest: VaultLocationLatestTable;
  privacy_settings: PrivacySettingsTable;
  owner_retention: OwnerRetentionTable;
  owner_auth_nonces: OwnerAuthNoncesTable;
  activity_entries: ActivityEntriesTable;
  activity_heads: ActivityHeadsTable;
  connector_secrets: ConnectorSecretsTable;
  connector_accounts: ConnectorAccountsTable;
  connector_vehicles: ConnectorVehiclesTable;
  owner_accounts: OwnerAccountsTable;
  glovebox_documents: GloveboxDocumentsTable;
  consent_documents: ConsentDocumentsTable;
  license_applications: LicenseApplicationsTable;
  union_memberships: UnionMembershipsTable;
  aggregate_releases: AggregateReleasesTable;
  rewards_weeks: RewardsWeeksTable;
  rewards_inputs: RewardsInputsTable;
  rewards_entries: RewardsEntriesTable;
  licensing_decisions: LicensingDecisionsTable;
  licensing_metrics_months: LicensingMetricsMonthsTable;
  license_signers: LicenseSignersTable;
  license_redirect_uris: LicenseRedirectUrisTable;
  app_auth_states: AppAuthStatesTable;
  webhooks: WebhooksTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_fires: WebhookFiresTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_previous: WebhookPreviousTable;
  bus_outbox: BusOutboxTable;
}
