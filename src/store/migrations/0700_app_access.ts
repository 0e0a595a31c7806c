// App access (src/licensing/signer-*, src/api/apps): license API keys (signer addresses with expiry)
// and redirect URIs mirrored from the LicenseSigners contract, and the single-use web3 challenges of
// developer sign-in. Addresses are lowercase 0x hex, license ids decimal text, `*_at` epoch ms of the
// block (or of the node's clock for challenges), `*_sec` chain times in unix seconds.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const big = bigintType(dialectOf(db));
  await db.schema
    .createTable('license_signers')
    .addColumn('license_id', 'text', (c) => c.notNull())
    .addColumn('signer', 'text', (c) => c.notNull())
    .addColumn('expires_at_sec', big, (c) => c.notNull())
    .addColumn('enabled_by', 'text', (c) => c.notNull())
    .addColumn('enabled_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_signers_pk', ['license_id', 'signer'])
    .execute();
  await db.schema.createIndex('license_signers_signer').on('license_signers').column('signer').execute();

  await db.schema
    .createTable('license_redirect_uris')
    .addColumn('license_id', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('license_redirect_uris_pk', ['license_id', 'uri'])
    .execute();

  // One row per outstanding challenge; deleted when answered (right or wrong) or expired.
  await db.schema
    .createTable('app_auth_states')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('issued_at', big, (c) => c.notNull())
    .addColumn('expires_at', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('app_auth_states_expires').on('app_auth_states').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['app_auth_states', 'license_redirect_uris', 'license_signers']) await db.schema.dropTable(t).execute();
}
