// Every migration, in order. Names are `NNNN_snake_case`; Kysely applies them sorted by name and refuses
// to run if the database holds one this list lacks. Never rename or edit a migration once merged: add one.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_node_meta.ts';

export const migrations: Record<string, Migration> = {
  '0001_node_meta': m0001,
};
