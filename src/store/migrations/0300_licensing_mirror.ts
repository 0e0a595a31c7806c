// The licensing mirror: licenses with stake and status, the protocol's stake parameters, banned
// identities and address links, node relayers, challenges, and DIMO Pay subscriptions and payments.
// Token amounts (uint256 wei) are decimal text; addresses are lowercase 0x hex; `*_at` columns are epoch
// milliseconds of the block, `*_sec` columns are chain times in unix seconds as the contracts hold them.
import type { Kysely } from 'kysely';
import { bigintType, dialectOf } from './types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const big = bigintType(dialectOf(db));
  await db.schema
    .createTable('licensing_licenses')
    .addColumn('license_id', 'text', (col) => col.primaryKey())
    .addColumn('holder', 'text', (col) => col.notNull())
    // Licenses.Kind: 0 client, 1 node, 2 app.
    .addColumn('kind', 'integer', (col) => col.notNull())
    // Licenses.Status: 1 active, 2 suspended, 3 revoked, 4 renounced, 5 banned.
    .addColumn('status', 'integer', (col) => col.notNull())
    .addColumn('legal_name', 'text', (col) => col.notNull())
    .addColumn('dba', 'text', (col) => col.notNull())
    .addColumn('website', 'text', (col) => col.notNull())
    .addColumn('support_email', 'text', (col) => col.notNull())
    .addColumn('stake', 'text', (col) => col.notNull())
    .addColumn('requirement_floor', 'text', (col) => col.notNull())
    .addColumn('connected_users', 'text', (col) => col.notNull())
    .addColumn('open_challenges', 'integer', (col) => col.notNull())
    .addColumn('status_reason', 'text', (col) => col.notNull())
    .addColumn('status_by', 'text')
    // 0 while live; the stake unlocks EXIT_DELAY after it.
    .addColumn('ended_at_sec', big, (col) => col.notNull())
    .addColumn('issued_at', big, (col) => col.notNull())
    .addColumn('issued_block', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('licensing_licenses_holder').on('licensing_licenses').column('holder').execute();

  // minimum_stake:<kind> and stake_per_user, in wei.
  await db.schema
    .createTable('licensing_params')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('licensing_bans')
    .addColumn('identity', 'text', (col) => col.primaryKey())
    .addColumn('banned_by', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('banned_at', big, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('licensing_links')
    .addColumn('account', 'text', (col) => col.primaryKey())
    .addColumn('controller', 'text', (col) => col.notNull())
    .addColumn('linked_by', 'text', (col) => col.notNull())
    .addColumn('linked_at', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('licensing_links_controller').on('licensing_links').column('controller').execute();

  await db.schema
    .createTable('licensing_relayers')
    .addColumn('relayer', 'text', (col) => col.primaryKey())
    .addColumn('license_id', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('licensing_challenges')
    .addColumn('challenge_id', 'text', (col) => col.primaryKey())
    .addColumn('license_id', 'text', (col) => col.notNull())
    .addColumn('challenger', 'text', (col) => col.notNull())
    .addColumn('deposit', 'text', (col) => col.notNull())
    .addColumn('reason_uri', 'text', (col) => col.notNull())
    // open | upheld | rejected
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('slashed', 'text', (col) => col.notNull())
    .addColumn('burned', 'text', (col) => col.notNull())
    .addColumn('challenger_reward', 'text', (col) => col.notNull())
    .addColumn('owners_total', 'text', (col) => col.notNull())
    .addColumn('owners_root', 'text')
    .addColumn('owners_claimed', 'text', (col) => col.notNull())
    .addColumn('ruling_uri', 'text')
    .addColumn('opened_at', big, (col) => col.notNull())
    .addColumn('decided_at', big)
    .execute();
  await db.schema.createIndex('licensing_challenges_license').on('licensing_challenges').column('license_id').execute();

  await db.schema
    .createTable('licensing_subscriptions')
    .addColumn('subscription_id', 'text', (col) => col.primaryKey())
    .addColumn('app_license_id', 'text', (col) => col.notNull())
    .addColumn('vehicle_id', 'text', (col) => col.notNull())
    .addColumn('node_license_id', 'text', (col) => col.notNull())
    .addColumn('price_per_period', 'text', (col) => col.notNull())
    .addColumn('period_sec', big, (col) => col.notNull())
    .addColumn('start_sec', big, (col) => col.notNull())
    // Paid up until (exclusive); equals start until the first payment.
    .addColumn('end_sec', big, (col) => col.notNull())
    // active | cancelled
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('creator', 'text', (col) => col.notNull())
    .addColumn('cancelled_by', 'text')
    .addColumn('created_at', big, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('licensing_subscriptions_app').on('licensing_subscriptions').column('app_license_id').execute();
  await db.schema.createIndex('licensing_subscriptions_vehicle').on('licensing_subscriptions').column('vehicle_id').execute();

  await db.schema
    .createTable('licensing_payments')
    .addColumn('payment_id', 'text', (col) => col.primaryKey())
    .addColumn('subscription_id', 'text', (col) => col.notNull())
    .addColumn('payer', 'text', (col) => col.notNull())
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('amount', 'text', (col) => col.notNull())
    .addColumn('dimo_value', 'text', (col) => col.notNull())
    .addColumn('periods', big, (col) => col.notNull())
    .addColumn('paid_until_sec', big, (col) => col.notNull())
    // From PaymentSplit, which follows PaymentMade in the same transaction.
    .addColumn('owner', 'text')
    .addColumn('node', 'text')
    .addColumn('treasury', 'text')
    .addColumn('owner_share', 'text')
    .addColumn('node_share', 'text')
    .addColumn('treasury_share', 'text')
    .addColumn('paid_at', big, (col) => col.notNull())
    .addColumn('tx_hash', 'text', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('licensing_payments_subscription').on('licensing_payments').column('subscription_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'licensing_payments',
    'licensing_subscriptions',
    'licensing_challenges',
    'licensing_relayers',
    'licensing_links',
    'licensing_bans',
    'licensing_params',
    'licensing_licenses',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
