// The licensing mirror's tables and their keys, as the chain indexer needs them.
import type { MirrorTable } from '../chain/indexer/indexer-types.ts';

export const LICENSING_TABLES = [
  { name: 'licensing_licenses', key: ['license_id'] },
  { name: 'licensing_params', key: ['name'] },
  { name: 'licensing_bans', key: ['identity'] },
  { name: 'licensing_links', key: ['account'] },
  { name: 'licensing_relayers', key: ['relayer'] },
  { name: 'licensing_challenges', key: ['challenge_id'] },
  { name: 'licensing_subscriptions', key: ['subscription_id'] },
  { name: 'licensing_payments', key: ['payment_id'] },
] as const satisfies readonly MirrorTable[];

/** The contracts the licensing mirror follows (deployment names). */
export const LICENSING_CONTRACTS = ['Licenses', 'Challenges', 'DimoPay'] as const;

/** licensing_params names. */
export const minimumStakeParam = (kind: number): string => `minimum_stake:${kind}`;
export const STAKE_PER_USER_PARAM = 'stake_per_user';
