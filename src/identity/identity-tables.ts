// The identity mirror's tables and their keys, as the chain indexer needs them.
import type { MirrorTable } from '../chain/indexer/indexer-types.ts';

export const IDENTITY_TABLES = [
  { name: 'identity_vehicles', key: ['token_id'] },
  { name: 'identity_synthetic_devices', key: ['token_id'] },
  { name: 'identity_aftermarket_devices', key: ['token_id'] },
  { name: 'identity_connections', key: ['token_id'] },
  { name: 'identity_manufacturers', key: ['token_id'] },
  { name: 'identity_grants', key: ['asset', 'token_id', 'version', 'grantee'] },
  { name: 'identity_account_grants', key: ['grantor', 'grantee'] },
  { name: 'identity_supported_assets', key: ['asset'] },
] as const satisfies readonly MirrorTable[];

