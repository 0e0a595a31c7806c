// Kysely table types for everything the store holds. Each module that adds a table adds its interface
// here and a migration under ./migrations; the two must agree. Conventions that keep both dialects
// returning the same JS values: times are bigint epoch milliseconds (read back as number), bytes are
// Buffer, JSON is stored and read back as a JSON string, booleans are integer 0/1.
import type { ColumnType, Generated } from 'kysely';

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

// --- chain indexer (src/chain/indexer) ---

export interface ChainCursorsTable {
  name: string;
  /** Last block whose events are applied; -1 before the first. */
  block_number: number;
  block_hash: string | null;
  updated_at: number;
}

export interface ChainBlocksTable {
  cursor: string;
  block_number: number;
  block_hash: string;
}

export interface ChainUndoTable {
  id: Generated<number>;
  cursor: string;
  block_number: number;
  table_name: string;
  /** JSON of the row's primary key. */
  row_key: string;
  /** JSON of the whole row before the change; null when the change created it. */
  before_row: string | null;
}

// --- identity and consent mirror (src/identity) ---

export interface IdentityVehiclesTable {
  token_id: string;
  owner: string;
  version: number;
  make: string;
  model: string;
  year: number;
  vin_hash: string;
  minted_at: number;
  minted_block: number;
}

export interface IdentitySyntheticDevicesTable {
  token_id: string;
  vehicle_id: string;
  connection_id: string;
  address: string;
  minted_at: number;
}

export interface IdentityAftermarketDevicesTable {
  token_id: string;
  manufacturer_id: string;
  address: string;
  owner: string;
  claimed_at: number | null;
  vehicle_id: string | null;
  paired_at: number | null;
  minted_at: number;
}

export interface IdentityConnectionsTable {
  token_id: string;
  name: string;
  owner: string;
  address: string;
  minted_at: number;
}

export interface IdentityManufacturersTable {
  token_id: string;
  name: string;
  owner: string;
  minted_at: number;
}

export interface IdentityGrantsTable {
  asset: string;
  token_id: string;
  version: number;
  grantee: string;
  grantor: string;
  /** 0x hex uint256 mask. */
  permissions: string;
  /** Decimal unix seconds. */
  expiration: string;
  /** 0x bytes32: keccak256 of the signed consent document. */
  source: string;
  granted_at: number;
}

export interface IdentityAccountGrantsTable {
  grantor: string;
  grantee: string;
  permissions: string;
  expiration: string;
  source: string;
  granted_at: number;
}

export interface IdentitySupportedAssetsTable {
  asset: string;
}

// --- licensing mirror (src/licensing) ---

export interface LicensingLicensesTable {
  license_id: string;
  holder: string;
  kind: number;
  status: number;
  legal_name: string;
  dba: string;
  website: string;
  support_email: string;
  /** Decimal wei. */
  stake: string;
  requirement_floor: string;
  connected_users: string;
  open_challenges: number;
  status_reason: string;
  status_by: string | null;
  /** Unix seconds; 0 while live. */
  ended_at_sec: number;
  issued_at: number;
  issued_block: number;
}

export interface LicensingParamsTable {
  name: string;
  value: string;
}

export interface LicensingBansTable {
  identity: string;
  banned_by: string;
  reason: string;
  banned_at: number;
}

export interface LicensingLinksTable {
  account: string;
  controller: string;
  linked_by: string;
  linked_at: number;
}

export interface LicensingRelayersTable {
  relayer: string;
  license_id: string;
}

export interface LicensingChallengesTable {
  challenge_id: string;
  license_id: string;
  challenger: string;
  deposit: string;
  reason_uri: string;
  status: string;
  slashed: string;
  burned: string;
  challenger_reward: string;
  owners_total: string;
  owners_root: string | null;
  owners_claimed: string;
  ruling_uri: string | null;
  opened_at: number;
  decided_at: number | null;
}

export interface LicensingSubscriptionsTable {
  subscription_id: string;
  app_license_id: string;
  vehicle_id: string;
  node_license_id: string;
  price_per_period: string;
  period_sec: number;
  start_sec: number;
  end_sec: number;
  status: string;
  creator: string;
  cancelled_by: string | null;
  created_at: number;
}

export interface LicensingPaymentsTable {
  payment_id: string;
  subscription_id: string;
  payer: string;
  token: string;
  amount: string;
  dimo_value: string;
  periods: number;
  paid_until_sec: number;
  owner: string | null;
  node: string | null;
  treasury: string | null;
  owner_share: string | null;
  node_share: string | null;
  treasury_share: string | null;
  paid_at: number;
  tx_hash: string;
}

// --- ingest and vault (src/ingest, src/vault, src/privacy) ---

export interface VaultKeysTable {
  key_ref: string;
  kind: 'vehicle' | 'location' | 'owner';
  vehicle_id: string | null;
  owner_version: number | null;
  /** Lowercase 0x address of the owner whose epoch this key covers (vehicle keys only). */
  owner: string | null;
  bucket: number;
  bucket_version: number;
  wrapped: Buffer;
}

export interface IngestDedupTable {
  /** Day (epoch ms / 86 400 000) of the event's time. */
  day: number;
  /** Minute of the event time (4 bytes, big-endian) then 12 bytes of a keyed hash of (subject, time, type, source, id). */
  hash: Buffer;
}

export interface VaultLogTable {
  id: Generated<number>;
  epoch: number;
  n_events: number;
  ct: Buffer;
}

export interface VaultChunksTable {
  seg_id: string;
  vehicle_id: string;
  owner_version: number;
  chunk_start: number;
  n_events: number;
  n_samples: number;
  samples: Buffer;
  rollups: Buffer;
  events: Buffer;
}

export interface VaultLatestTable {
  vehicle_id: string;
  owner_version: number;
  ct: Buffer;
}

export interface VaultLocationChunksTable {
  seg_id: string;
  stream_id: string;
  chunk_tag: string;
  n_points: number;
  ct: Buffer;
}

export interface VaultLocationLatestTable {
  stream_id: string;
  ct: Buffer;
}

export interface PrivacySettingsTable {
  vehicle_id: string;
  owner_version: number;
  location_opt_out: number;
  /** Encrypted zone list, or null when the owner set none. */
  zones: Buffer | null;
  updated_at: number;
}

// --- OEM connectors (src/connectors) ---

export interface ConnectorSecretsTable {
  name: string;
  /** Sealed under a key derived from the node's KEK. */
  sealed: Buffer;
  created_at: number;
}

export interface ConnectorAccountsTable {
  account_id: string;
  oem: 'tesla' | 'smartcar';
  /** Lowercase 0x address of the owner who connected the account. */
  owner: string;
  /** Keyed hash of the OEM's user id (never the id itself). */
  oem_user_hash: string;
  /** Tesla: na | eu. */
  region: string | null;
  state: 'active' | 'reauth_required' | 'disconnected';
  state_reason: string | null;
  /** The account's data key wrapped under the node's connector key; null once shredded. */
  token_key: Buffer | null;
  /** Access and refresh tokens sealed under the account's data key; null once shredded. */
  tokens: Buffer | null;
  token_version: number;
  access_issued_at: number;
  access_expires_at: number;
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface ConnectorVehiclesTable {
  /** The connection's id in the API (`/v1/connections/{id}`). */
  connection_id: string;
  account_id: string;
  oem: 'tesla' | 'smartcar';
  owner: string;
  /** The OEM's opaque vehicle id (Tesla's numeric id, Smartcar's UUID); never the VIN. */
  oem_vehicle_id: string;
  make: string;
  model: string;
  year: number;
  /** 0x bytes32 salted commitment to the VIN (what goes on chain). */
  vin_hash: string;
  /** HD derivation path of the device key (the key itself is never stored). */
  device_path: string;
  device_address: string;
  vehicle_token_id: string | null;
  device_token_id: string | null;
  state: 'pending' | 'active' | 'paused' | 'reauth_required' | 'disconnected';
  state_reason: string | null;
  /** JSON array of API paths the vehicle is not capable of (501). */
  dropped_paths: string;
  /** JSON {section or path: epoch ms of the newest data already emitted}. */
  last_emitted: string;
  /** driving | charging | parked | asleep | offline | unknown. */
  poll_state: string;
  last_data_at: number | null;
  created_at: number;
  updated_at: number;
}

// --- owner sign-in and activity log (src/api/auth, src/activity) ---

export interface OwnerAuthNoncesTable {
  nonce: string;
  /** Lowercase 0x address the challenge was issued to. */
  address: string;
  domain: string;
  issued_at: number;
  expires_at: number;
}

export interface ActivityEntriesTable {
  /** Keyed pseudonym of the owner's address. */
  owner_tag: string;
  /** 1, 2, 3… per owner, no gaps. */
  seq: number;
  at: number;
  kind: string;
  vehicle_tag: string | null;
  /** Keyed tag of the app's license id, and of the grantee address. */
  app_tag: string | null;
  grantee_tag: string | null;
  ct: Buffer;
  /** sha256(previous hash ‖ seq ‖ ct). */
  hash: Buffer;
}

export interface ActivityHeadsTable {
  owner_tag: string;
  seq: number;
  hash: Buffer;
  /** Keyed MAC of (owner_tag, seq, hash): a rewritten chain cannot re-anchor itself. */
  mac: Buffer;
}

// --- dashboard: owner accounts, glovebox, consent documents, license applications (src/owners,
// src/glovebox, src/consent-inbox, src/console) ---

export interface OwnerAccountsTable {
  /** Lowercase 0x address of the owner's embedded wallet. */
  address: string;
  /** Keyed hash of the normalised email (look-up without storing it in the clear). */
  email_tag: string;
  email_ct: Buffer;
  /** JSON {alg: 'scrypt', salt, n, r, p}: how the browser derives keys from the password. */
  kdf: string;
  verifier_salt: Buffer;
  /** scrypt of the auth key the browser derives; never the password. */
  verifier: Buffer;
  /** JSON {v, alg, iv, ct}: the wallet key sealed in the browser. */
  wallet: string;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<number, number | undefined, number>;
  created_at: number;
  updated_at: number;
}

export interface GloveboxDocumentsTable {
  doc_id: string;
  vehicle_id: string;
  owner_version: number;
  owner: string;
  kind: string;
  size: number;
  meta_ct: Buffer;
  content_ct: Buffer;
  created_at: number;
}

export interface ConsentDocumentsTable {
  /** 0x keccak256 of the canonical document: the grant's `source`. */
  hash: string;
  grantor: string;
  grantee: string;
  asset: string;
  /** JSON of the signed document. */
  document: string;
  created_at: number;
}

export interface LicenseApplicationsTable {
  id: Generated<number>;
  applicant: string;
  kind: string;
  legal_name: string;
  dba: string;
  website: string;
  support_email: string;
  note: string;
  status: 'pending' | 'issued' | 'rejected' | 'withdrawn';
  decision_reason: string | null;
  decided_by: string | null;
  license_id: string | null;
  tx_hash: string | null;
  created_at: number;
  decided_at: number | null;
}

// --- data unions, aggregate releases, rewards, licensing metrics (src/unions, src/rewards,
// src/licensing/metrics) ---

export interface UnionMembershipsTable {
  vehicle_id: string;
  owner_version: number;
  union_id: string;
  /** Lowercase 0x address of the owner who joined. */
  owner: string;
  joined_at: number;
}

export interface AggregateReleasesTable {
  release_id: Generated<number>;
  at: number;
  dataset: string;
  /** JSON of the validated query parameters. */
  params: string;
  app_license_id: string;
  app_address: string;
  k: number;
  /** Decimal epsilon of the Laplace noise, or null without noise. */
  epsilon: string | null;
  /** JSON {groups, totals}: exactly what the app received. */
  released: string;
  released_count: number;
  suppressed_count: number;
  /** Sealed JSON of the suppressed groups (keys and distinct counts), under a KEK-derived key. */
  suppressed_ct: Buffer;
  /** Distinct vehicles in released groups. */
  contributors: number;
}

export interface RewardsWeeksTable {
  week: number;
  /** Epoch ms; the week covers hour chunks starting in [week_start, week_end). */
  week_start: number;
  week_end: number;
  rules_version: string;
  /** sha256 of the frozen inputs. */
  inputs_hash: string;
  /** Decimal wei. */
  budget: string;
  total: string;
  total_points: string;
  vehicles: number;
  paid_vehicles: number;
  /** 0x Merkle root; null when nobody earned. */
  root: string | null;
  computed_at: number;
  posted_tx: string | null;
  posted_at: number | null;
}

export interface RewardsInputsTable {
  week: number;
  vehicle_id: string;
  /** JSON of the vehicle's frozen inputs (see src/rewards/week-inputs.ts). */
  doc: string;
}

export interface RewardsEntriesTable {
  week: number;
  vehicle_id: string;
  beneficiary: string;
  points: number;
  /** Decimal wei. */
  amount: string;
  streak_level: number;
  streak_weeks: number;
  streak_missed: number;
  /** JSON array of the reasons behind the points. */
  reasons: string;
}

export interface LicensingDecisionsTable {
  block_number: number;
  log_index: number;
  tx_hash: string;
  /** Epoch ms of the block. */
  at: number;
  /** issued | status | ban | unban | requirement | challenge-upheld | challenge-rejected */
  decision: string;
  license_id: string | null;
  identity: string | null;
  challenge_id: string | null;
  status: string | null;
  previous_status: string | null;
  /** The published reason (or ruling URI). */
  reason: string;
  by_address: string | null;
  /** Decimal wei where the decision moved an amount (requirement, slash). */
  amount: string | null;
}

export interface LicensingMetricsMonthsTable {
  month: string;
  doc: string;
  published_at: number;
}

// --- app access: license API keys, redirect URIs, developer sign-in challenges (src/licensing/signer-*,
// src/api/apps) ---

export interface LicenseSignersTable {
  license_id: string;
  /** Lowercase 0x address. */
  signer: string;
  /** Unix seconds (chain time) the signer stops being valid. */
  expires_at_sec: number;
  enabled_by: string;
  enabled_at: number;
}

export interface LicenseRedirectUrisTable {
  license_id: string;
  uri: string;
  set_by: string;
  set_at: number;
}

export interface AppAuthStatesTable {
  state: string;
  /** Lowercase 0x client id the challenge was issued to. */
  client_id: string;
  domain: string;
  challenge: string;
  issued_at: number;
  expires_at: number;
}

export interface Database {
  node_meta: NodeMetaTable;
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
}

// --- webhooks (src/webhooks) ---

export interface WebhooksTable {
  /** UUID. */
  id: string;
  /** Decimal id of the license that owns the webhook. */
  license_id: string;
  /** Lowercase 0x address deliveries read as (the license's client id; owners grant to it). */
  grantee: string;
  service: string;
  /** Catalogue signal name. */
  metric_name: string;
  /** CEL expression. */
  condition: string;
  cooldown_s: number;
  target_url: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  /** Consecutive failed delivery attempts. */
  failure_count: number;
  display_name: string;
  description: string;
  /** The HMAC signing secret, sealed under the webhook key. */
  secret_ct: Buffer;
  created_at: number;
  updated_at: number;
}

export interface WebhookSubscriptionsTable {
  webhook_id: string;
  /** Decimal vehicle token id. */
  vehicle_id: string;
  created_at: number;
}

export interface WebhookFiresTable {
  webhook_id: string;
  vehicle_id: string;
  /** Epoch ms of the last fire (the cooldown runs from here). */
  fired_at: number;
}

export interface WebhookDeliveriesTable {
  /** UUID; also the X-DIMO-Delivery-Id header. */
  id: string;
  webhook_id: string;
  vehicle_id: string;
  /** Owner epoch of the data: a delivery never outlives the vehicle changing hands. */
  owner_version: number;
  /** The CloudEvent id of the payload (stable across retries). */
  event_id: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  /** HTTP status of the last attempt; null when it got no answer. */
  last_status: number | null;
  last_error: string | null;
  /** The JSON body, sealed; null once the delivery ended. */
  body_ct: Buffer | null;
  created_at: number;
  finished_at: number | null;
}

