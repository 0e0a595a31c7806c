// Every migration, in order. Names are `NNNN_snake_case`; Kysely applies them sorted by name and refuses
// to run if the database holds one this list lacks. Never rename or edit a migration once merged: add one.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_node_meta.ts';
import * as m0100 from './0100_chain_indexer.ts';
import * as m0101 from './0101_identity_mirror.ts';
import * as m0200 from './0200_vault.ts';
import * as m0201 from './0201_privacy_settings.ts';
import * as m0300 from './0300_licensing_mirror.ts';
import * as m0400 from './0400_owner_auth.ts';
import * as m0401 from './0401_activity_log.ts';
import * as m0500 from './0500_connectors.ts';

export const migrations: Record<string, Migration> = {
  '0001_node_meta': m0001,
  '0100_chain_indexer': m0100,
  '0101_identity_mirror': m0101,
  '0200_vault': m0200,
  '0201_privacy_settings': m0201,
  '0300_licensing_mirror': m0300,
  '0400_owner_auth': m0400,
  '0401_activity_log': m0401,
  '0500_connectors': m0500,
};
