// Every migration, in order. Names are `NNNN_snake_case`; Kysely applies them sorted by name and refuses
// to run if the database holds one this list lacks. Never rename or edit a migration once merged: add one.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_node_meta.ts';
import * as m0002 from './0002_node_keys.ts';
import * as m0100 from './0100_chain_indexer.ts';
import * as m0101 from './0101_identity_mirror.ts';
import * as m0200 from './0200_vault.ts';
import * as m0201 from './0201_privacy_settings.ts';
import * as m0210 from './0210_vault_partitions.ts';
import * as m0211 from './0211_owner_retention.ts';
import * as m0300 from './0300_licensing_mirror.ts';
import * as m0400 from './0400_owner_auth.ts';
import * as m0401 from './0401_activity_log.ts';
import * as m0500 from './0500_connectors.ts';
import * as m0600 from './0600_unions.ts';
import * as m0601 from './0601_rewards.ts';
import * as m0602 from './0602_licensing_metrics.ts';
import * as m0700 from './0700_app_access.ts';
import * as m0750 from './0750_webhooks.ts';
import * as m0760 from './0760_webhook_cluster.ts';
import * as m0800 from './0800_owner_accounts.ts';
import * as m0801 from './0801_glovebox.ts';
import * as m0802 from './0802_consent_documents.ts';
import * as m0803 from './0803_license_applications.ts';
import * as m0900 from './0900_bus_outbox.ts';

export const migrations: Record<string, Migration> = {
  '0001_node_meta': m0001,
  '0002_node_keys': m0002,
  '0100_chain_indexer': m0100,
  '0101_identity_mirror': m0101,
  '0200_vault': m0200,
  '0201_privacy_settings': m0201,
  '0210_vault_partitions': m0210,
  '0211_owner_retention': m0211,
  '0300_licensing_mirror': m0300,
  '0400_owner_auth': m0400,
  '0401_activity_log': m0401,
  '0500_connectors': m0500,
  '0600_unions': m0600,
  '0601_rewards': m0601,
  '0602_licensing_metrics': m0602,
  '0700_app_access': m0700,
  '0750_webhooks': m0750,
  '0760_webhook_cluster': m0760,
  '0800_owner_accounts': m0800,
  '0801_glovebox': m0801,
  '0802_consent_documents': m0802,
  '0803_license_applications': m0803,
  '0900_bus_outbox': m0900,
};
