// How each identity and consent event changes the mirror. Addresses are stored lowercase, token ids as
// decimal text, permission masks as 0x hex, times as epoch milliseconds of the block.
import type { Hex } from 'viem';
import type { ChainIndexer } from '../chain/indexer/chain-indexer.ts';
import type { DecodedEvent, MirrorWriter } from '../chain/indexer/indexer-types.ts';
import { IDENTITY_TABLES } from './identity-tables.ts';

const ZERO = '0x0000000000000000000000000000000000000000';

const addr = (v: unknown): string => String(v).toLowerCase();
const id = (v: unknown): string => (v as bigint).toString();
const ms = (e: DecodedEvent): number => Number(e.block.timestamp) * 1000;

/** Deletes every stored grant on the token: a new token version voids them all for good. */
async function dropTokenGrants(w: MirrorWriter, asset: string, tokenId: string): Promise<void> {
  for (const row of await w.find('identity_grants', { asset, token_id: tokenId })) await w.remove('identity_grants', row);
}

/** ERC-721 transfers between two holders change the stored owner (mints and burns have own events). */
async function ownerTransfer(table: 'identity_aftermarket_devices' | 'identity_connections' | 'identity_manufacturers', e: DecodedEvent, w: MirrorWriter): Promise<void> {
  const { from, to, tokenId } = e.args;
  if (addr(from) === ZERO || addr(to) === ZERO) return;
  await w.patch(table, { token_id: id(tokenId) }, { owner: addr(to) });
}

export function registerIdentityHandlers(indexer: ChainIndexer, vehicleIdAddress: Hex): void {
  const vehicleAsset = vehicleIdAddress.toLowerCase();
  indexer.registerTables(IDENTITY_TABLES);

  indexer.registerHandlers('VehicleId', {
    VehicleMinted: async (e, w) => {
      const a = e.args;
      await w.put('identity_vehicles', {
        token_id: id(a.vehicleId),
        owner: addr(a.owner),
        version: 0,
        make: String(a.make),
        model: String(a.model),
        year: Number(a.year),
        vin_hash: String(a.vinHash),
        minted_at: ms(e),
        minted_block: Number(e.block.number),
      });
    },
    VehicleTransferred: async (e, w) => {
      const a = e.args;
      const tokenId = id(a.vehicleId);
      await w.patch('identity_vehicles', { token_id: tokenId }, { owner: addr(a.to), version: Number(a.version) });
      await dropTokenGrants(w, vehicleAsset, tokenId);
    },
    VehicleBurned: async (e, w) => {
      const tokenId = id(e.args.vehicleId);
      await w.remove('identity_vehicles', { token_id: tokenId });
      await dropTokenGrants(w, vehicleAsset, tokenId);
    },
  });

  indexer.registerHandlers('SyntheticDevice', {
    SyntheticDeviceMinted: async (e, w) => {
      const a = e.args;
      await w.put('identity_synthetic_devices', {
        token_id: id(a.syntheticDeviceId),
        vehicle_id: id(a.vehicleId),
        connection_id: id(a.connectionId),
        address: addr(a.device),
        minted_at: ms(e),
      });
    },
    SyntheticDeviceBurned: async (e, w) => {
      await w.remove('identity_synthetic_devices', { token_id: id(e.args.syntheticDeviceId) });
    },
  });

  indexer.registerHandlers('AftermarketDevice', {
    AftermarketDeviceMinted: async (e, w) => {
      const a = e.args;
      await w.put('identity_aftermarket_devices', {
        token_id: id(a.aftermarketDeviceId),
        manufacturer_id: id(a.manufacturerId),
        address: addr(a.device),
        owner: addr(a.owner),
        claimed_at: null,
        vehicle_id: null,
        paired_at: null,
        minted_at: ms(e),
      });
    },
    AftermarketDeviceClaimed: async (e, w) => {
      await w.patch('identity_aftermarket_devices', { token_id: id(e.args.aftermarketDeviceId) }, { owner: addr(e.args.owner), claimed_at: ms(e) });
    },
    AftermarketDevicePaired: async (e, w) => {
      await w.patch('identity_aftermarket_devices', { token_id: id(e.args.aftermarketDeviceId) }, { vehicle_id: id(e.args.vehicleId), paired_at: ms(e) });
    },
    AftermarketDeviceUnpaired: async (e, w) => {
      await w.patch('identity_aftermarket_devices', { token_id: id(e.args.aftermarketDeviceId) }, { vehicle_id: null, paired_at: null });
    },
    Transfer: (e, w) => ownerTransfer('identity_aftermarket_devices', e, w),
  });

  indexer.registerHandlers('Connections', {
    ConnectionMinted: async (e, w) => {
      const a = e.args;
      await w.put('identity_connections', { token_id: id(a.connectionId), name: String(a.name), owner: addr(a.owner), address: addr(a.connectionAddress), minted_at: ms(e) });
    },
    ConnectionAddressSet: async (e, w) => {
      await w.patch('identity_connections', { token_id: id(e.args.connectionId) }, { address: addr(e.args.connectionAddress) });
    },
    Transfer: (e, w) => ownerTransfer('identity_connections', e, w),
  });

  indexer.registerHandlers('Manufacturers', {
    ManufacturerMinted: async (e, w) => {
      const a = e.args;
      await w.put('identity_manufacturers', { token_id: id(a.manufacturerId), name: String(a.name), owner: addr(a.owner), minted_at: ms(e) });
    },
    Transfer: (e, w) => ownerTransfer('identity_manufacturers', e, w),
  });

  const grantKey = (a: Record<string, unknown>) => ({ asset: addr(a.asset), token_id: id(a.tokenId), version: Number(a.version), grantee: addr(a.grantee) });
  const accountKey = (a: Record<string, unknown>) => ({ grantor: addr(a.grantor), grantee: addr(a.grantee) });
  indexer.registerHandlers('Permissions', {
    AssetSupportSet: async (e, w) => {
      if (e.args.supported) await w.put('identity_supported_assets', { asset: addr(e.args.asset) });
      else await w.remove('identity_supported_assets', { asset: addr(e.args.asset) });
    },
    PermissionsGranted: async (e, w) => {
      const a = e.args;
      await w.put('identity_grants', {
        ...grantKey(a),
        grantor: addr(a.grantor),
        permissions: `0x${(a.permissions as bigint).toString(16)}`,
        expiration: String(a.expiration),
        source: String(a.source),
        granted_at: ms(e),
      });
    },
    PermissionsRevoked: async (e, w) => void (await w.remove('identity_grants', grantKey(e.args))),
    PermissionsRenounced: async (e, w) => void (await w.remove('identity_grants', grantKey(e.args))),
    AccountPermissionsGranted: async (e, w) => {
      const a = e.args;
      await w.put('identity_account_grants', {
        ...accountKey(a),
        permissions: `0x${(a.permissions as bigint).toString(16)}`,
        expiration: String(a.expiration),
        source: String(a.source),
        granted_at: ms(e),
      });
    },
    AccountPermissionsRevoked: async (e, w) => void (await w.remove('identity_account_grants', accountKey(e.args))),
    AccountPermissionsRenounced: async (e, w) => void (await w.remove('identity_account_grants', accountKey(e.args))),
  });
}
