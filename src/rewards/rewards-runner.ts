// Everything `opendimo rewards compute` needs, opened from a node's data dir: the database, the vault
// (read side, with the node's KEK and keyring), the identity mirror's tables, union memberships, and the
// protocol contracts through the caller's read/send. It can run beside the node that owns the data dir
// (SQLite in WAL mode and PostgreSQL both allow it); it never takes the node's lock.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NodeConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { IdentityIndex } from '../identity/identity-index.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/store.ts';
import { UnionMemberships } from '../unions/union-memberships.ts';
import { loadOrCreateKek } from '../vault/kek-file.ts';
import { openVault, type Vault } from '../vault/vault.ts';
import type { ConnectionKind } from './reward-rules.ts';
import { RewardsChain, type ContractCalls } from './rewards-chain.ts';
import { RewardsEngine } from './rewards-engine.ts';
import { RewardsStore } from './rewards-store.ts';
import { RewardsView } from './rewards-view.ts';
import { gatherWeek, type GatherIdentity } from './week-gather.ts';

export interface RewardsRunner {
  store: Store;
  rewards: RewardsStore;
  view: RewardsView;
  /** Undefined when opened for reading only. */
  engine: RewardsEngine | undefined;
  close(): Promise<void>;
}

export interface OpenRunnerOptions {
  config: NodeConfig;
  logger: Logger;
  clock: Clock;
  /** For computing: contract calls, chain time, and the deployed addresses. */
  chain?: { calls: ContractCalls; now: () => Promise<bigint>; contracts: Record<string, string> };
}

export function identityFor(index: IdentityIndex): GatherIdentity {
  return {
    vehicle: (id) => index.vehicles.get(id),
    pairedKinds: (id) => {
      const kinds: ConnectionKind[] = [];
      if (index.syntheticOfVehicle(id)) kinds.push('software');
      if (index.aftermarketOfVehicle(id)) kinds.push('aftermarket');
      return kinds;
    },
  };
}

export async function openRewardsRunner(o: OpenRunnerOptions): Promise<RewardsRunner> {
  const { config, logger, clock } = o;
  const store = await openStore({ dataDir: config.dataDir, logger, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const rewards = new RewardsStore(store);
  const view = new RewardsView(rewards);
  if (!o.chain) return { store, rewards, view, engine: undefined, close: () => store.close() };

  let vault: Vault | undefined;
  try {
    if (!existsSync(config.kekFile)) {
      throw new OdmError('ODM_ERR_CONFIG_INVALID', `no key-encryption key at ${config.kekFile}: run this with the node's data dir (-d) or OPENDIMO_KEK_FILE`, { details: { path: config.kekFile } });
    }
    const kek = loadOrCreateKek(config.kekFile);
    const keyringFile = config.vault?.keyringFile ? resolve(config.vault.keyringFile) : join(dirname(config.kekFile), 'vault-keyring.json');
    vault = await openVault({
      store, kek, keyringFile, clock, logger, names: loadDefaultCatalog().signals.map((s) => s.name), dedupRetentionDays: 30, compactIntervalMs: 0,
    });
    const contracts = o.chain.contracts;
    const vehicleAsset = contracts.VehicleId;
    if (!vehicleAsset) throw new OdmError('ODM_ERR_CONTRACT_NOT_DEPLOYED', 'the deployment has no VehicleId contract');
    const index = new IdentityIndex(vehicleAsset);
    await index.load(store.db);
    const memberships = new UnionMemberships(store, clock);
    const reader = vault.reader;
    const engine = new RewardsEngine({
      rewards, clock, logger,
      chain: new RewardsChain(o.chain.calls, o.chain.now),
      gather: (week, issuanceStartMs, progress) => gatherWeek({
        store, reader, identity: identityFor(index), rewards, unions: memberships, issuanceStartMs,
        contracts: { syntheticDevice: contracts.SyntheticDevice?.toLowerCase(), aftermarketDevice: contracts.AftermarketDevice?.toLowerCase() },
        ...(progress ? { progress } : {}),
      }, week),
    });
    const opened = vault;
    return {
      store, rewards, view, engine,
      async close() {
        await opened.close();
        await store.close();
      },
    };
  } catch (err) {
    await vault?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}
