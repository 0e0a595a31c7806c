// The identity mirror in memory: loaded from the mirror tables at start, then kept current from the
// row changes the indexer commits (rollbacks included). Everything on the hot path (access checks,
// device lookups for ingest, identity GraphQL) reads from here; nothing here touches RPC or the database
// after load.
import type { Kysely } from 'kysely';
import type { Row, RowChange } from '../chain/indexer/indexer-types.ts';
import type { Database } from '../store/schema.ts';
import { IDENTITY_TABLES } from './identity-tables.ts';

export interface VehicleRecord {
  tokenId: bigint;
  /** Lowercase 0x address. */
  owner: string;
  version: number;
  make: string;
  model: string;
  year: number;
  /** Epoch ms of the mint block. */
  mintedAt: number;
}

export interface GrantRecord {
  grantee: string;
  grantor: string;
  /** Token version the grant was made under (per-token grants only; 0 for account grants). */
  version: number;
  permissions: bigint;
  /** Bit N set when privilege N (1–30) is held, i.e. both of its mask bits are set. */
  held: number;
  /** Unix seconds; valid while > now (values beyond 2^53 round, which never matters against now). */
  expiration: number;
  source: string;
  grantedAt: number;
}

export interface SyntheticDeviceRecord {
  tokenId: bigint;
  vehicleId: bigint;
  connectionId: bigint;
  address: string;
  mintedAt: number;
}

export interface AftermarketDeviceRecord {
  tokenId: bigint;
  manufacturerId: bigint;
  address: string;
  owner: string;
  claimedAt: number | undefined;
  vehicleId: bigint | undefined;
  pairedAt: number | undefined;
  mintedAt: number;
}

export interface ProviderRecord {
  tokenId: bigint;
  name: string;
  owner: string;
  /** Connections only: the provider's own address. */
  address?: string;
  mintedAt: number;
}

export function heldPrivileges(permissions: bigint): number {
  let held = 0;
  for (let id = 1; id <= 30; id++) if (((permissions >> BigInt(2 * id)) & 3n) === 3n) held |= 1 << id;
  return held;
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class IdentityIndex {
  /** Lowercase address of VehicleId: per-token grants on it are the vehicle grants. */
  readonly vehicleAsset: string;
  readonly vehicles = new Map<bigint, VehicleRecord>();
  /** Vehicle → grantee → grant at some version (checked against the vehicle's current one). */
  readonly vehicleGrants = new Map<bigint, Map<string, GrantRecord>>();
  /** Grantor → grantee → account grant. */
  readonly accountGrants = new Map<string, Map<string, GrantRecord>>();
  readonly syntheticDevices = new Map<bigint, SyntheticDeviceRecord>();
  readonly aftermarketDevices = new Map<bigint, AftermarketDeviceRecord>();
  readonly connections = new Map<bigint, ProviderRecord>();
  readonly manufacturers = new Map<bigint, ProviderRecord>();
  readonly supportedAssets = new Set<string>();
  readonly #syntheticByVehicle = new Map<bigint, bigint>();
  readonly #aftermarketByVehicle = new Map<bigint, bigint>();
  readonly #devicesByAddress = new Map<string, { kind: 'synthetic' | 'aftermarket'; tokenId: bigint }>();
  readonly #byOwner = new Map<string, Set<bigint>>();
  /** Every vehicle id, ascending (mints append; burns are rare). */
  readonly #ids: bigint[] = [];

  constructor(vehicleAsset: string) {
    this.vehicleAsset = vehicleAsset.toLowerCase();
  }

  // --- queries ---

  syntheticOfVehicle(vehicleId: bigint): SyntheticDeviceRecord | undefined {
    const id = this.#syntheticByVehicle.get(vehicleId);
    return id === undefined ? undefined : this.syntheticDevices.get(id);
  }

  aftermarketOfVehicle(vehicleId: bigint): AftermarketDeviceRecord | undefined {
    const id = this.#aftermarketByVehicle.get(vehicleId);
    return id === undefined ? undefined : this.aftermarketDevices.get(id);
  }

  deviceByAddress(address: string): { kind: 'synthetic' | 'aftermarket'; tokenId: bigint; vehicleId: bigint | undefined } | undefined {
    const found = this.#devicesByAddress.get(address.toLowerCase());
    if (!found) return undefined;
    const vehicleId = found.kind === 'synthetic' ? this.syntheticDevices.get(found.tokenId)?.vehicleId : this.aftermarketDevices.get(found.tokenId)?.vehicleId;
    return { kind: found.kind, tokenId: found.tokenId, vehicleId };
  }

  /** Vehicle ids, ascending; of one owner when given. */
  vehicleIds(owner?: string): readonly bigint[] {
    if (owner === undefined) return this.#ids;
    return [...(this.#byOwner.get(owner.toLowerCase()) ?? [])].sort(compare);
  }

  /** Grants on the vehicle at its current version (expired ones included). */
  currentGrants(vehicleId: bigint): GrantRecord[] {
    const vehicle = this.vehicles.get(vehicleId);
    const grants = this.vehicleGrants.get(vehicleId);
    if (!vehicle || !grants) return [];
    return [...grants.values()].filter((g) => g.version === vehicle.version && g.grantor === vehicle.owner);
  }

  // --- loading and applying changes ---

  clear(): void {
    for (const m of [this.vehicles, this.vehicleGrants, this.accountGrants, this.syntheticDevices, this.aftermarketDevices, this.connections, this.manufacturers]) m.clear();
    this.supportedAssets.clear();
    this.#syntheticByVehicle.clear();
    this.#aftermarketByVehicle.clear();
    this.#devicesByAddress.clear();
    this.#byOwner.clear();
    this.#ids.length = 0;
  }

  /** Replaces the contents with what the mirror tables hold. */
  async load(db: Kysely<Database>): Promise<void> {
    const tables = await Promise.all(IDENTITY_TABLES.map(async (t) => [t.name, (await (db as unknown as Kysely<any>).selectFrom(t.name).selectAll().execute()) as Row[]] as const));
    this.clear();
    for (const [table, rows] of tables) for (const row of rows) this.apply({ table, key: {}, before: undefined, after: row });
  }

  applyAll(changes: readonly RowChange[]): void {
    for (const change of changes) this.apply(change);
  }

  apply(change: RowChange): void {
    const { before, after } = change;
    switch (change.table) {
      case 'identity_vehicles':
        if (before) this.#dropVehicle(before);
        if (after) this.#putVehicle(after);
        break;
      case 'identity_grants':
        if (before) this.#dropGrant(before);
        if (after) this.#putGrant(after);
        break;
      case 'identity_account_grants':
        if (before) {
          const grantor = String(before.grantor);
          const map = this.accountGrants.get(grantor);
          map?.delete(String(before.grantee));
          if (map && map.size === 0) this.accountGrants.delete(grantor);
        }
        if (after) {
          const grant = toGrant(after, 0);
          let map = this.accountGrants.get(grant.grantor);
          if (!map) this.accountGrants.set(grant.grantor, (map = new Map()));
          map.set(grant.grantee, grant);
        }
        break;
      case 'identity_synthetic_devices':
        if (before) {
          const tokenId = BigInt(String(before.token_id));
          this.syntheticDevices.delete(tokenId);
          const vehicleId = BigInt(String(before.vehicle_id));
          if (this.#syntheticByVehicle.get(vehicleId) === tokenId) this.#syntheticByVehicle.delete(vehicleId);
          this.#devicesByAddress.delete(String(before.address));
        }
        if (after) {
          const d: SyntheticDeviceRecord = {
            tokenId: BigInt(String(after.token_id)),
            vehicleId: BigInt(String(after.vehicle_id)),
            connectionId: BigInt(String(after.connection_id)),
            address: String(after.address),
            mintedAt: Number(after.minted_at),
          };
          this.syntheticDevices.set(d.tokenId, d);
          this.#syntheticByVehicle.set(d.vehicleId, d.tokenId);
          this.#devicesByAddress.set(d.address, { kind: 'synthetic', tokenId: d.tokenId });
        }
        break;
      case 'identity_aftermarket_devices':
        if (before) {
          const tokenId = BigInt(String(before.token_id));
          this.aftermarketDevices.delete(tokenId);
          if (before.vehicle_id !== null) {
            const vehicleId = BigInt(String(before.vehicle_id));
            if (this.#aftermarketByVehicle.get(vehicleId) === tokenId) this.#aftermarketByVehicle.delete(vehicleId);
          }
          this.#devicesByAddress.delete(String(before.address));
        }
        if (after) {
          const d: AftermarketDeviceRecord = {
            tokenId: BigInt(String(after.token_id)),
            manufacturerId: BigInt(String(after.manufacturer_id)),
            address: String(after.address),
            owner: String(after.owner),
            claimedAt: after.claimed_at === null ? undefined : Number(after.claimed_at),
            vehicleId: after.vehicle_id === null ? undefined : BigInt(String(after.vehicle_id)),
            pairedAt: after.paired_at === null ? undefined : Number(after.paired_at),
            mintedAt: Number(after.minted_at),
          };
          this.aftermarketDevices.set(d.tokenId, d);
          if (d.vehicleId !== undefined) this.#aftermarketByVehicle.set(d.vehicleId, d.tokenId);
          this.#devicesByAddress.set(d.address, { kind: 'aftermarket', tokenId: d.tokenId });
        }
        break;
      case 'identity_connections':
      case 'identity_manufacturers': {
        const map = change.table === 'identity_connections' ? this.connections : this.manufacturers;
        if (before) map.delete(BigInt(String(before.token_id)));
        if (after) {
          const p: ProviderRecord = { tokenId: BigInt(String(after.token_id)), name: String(after.name), owner: String(after.owner), mintedAt: Number(after.minted_at) };
          if (after.address !== undefined) p.address = String(after.address);
          map.set(p.tokenId, p);
        }
        break;
      }
      case 'identity_supported_assets':
        if (before) this.supportedAssets.delete(String(before.asset));
        if (after) this.supportedAssets.add(String(after.asset));
        break;
      default:
        break;
    }
  }

  #putVehicle(row: Row): void {
    const v: VehicleRecord = {
      tokenId: BigInt(String(row.token_id)),
      owner: String(row.owner),
      version: Number(row.version),
      make: String(row.make),
      model: String(row.model),
      year: Number(row.year),
      mintedAt: Number(row.minted_at),
    };
    const isNew = !this.vehicles.has(v.tokenId);
    this.vehicles.set(v.tokenId, v);
    let owned = this.#byOwner.get(v.owner);
    if (!owned) this.#byOwner.set(v.owner, (owned = new Set()));
    owned.add(v.tokenId);
    if (isNew) insertSorted(this.#ids, v.tokenId);
  }

  #dropVehicle(row: Row): void {
    const tokenId = BigInt(String(row.token_id));
    const owner = String(row.owner);
    const owned = this.#byOwner.get(owner);
    owned?.delete(tokenId);
    if (owned && owned.size === 0) this.#byOwner.delete(owner);
    this.vehicles.delete(tokenId);
    removeSorted(this.#ids, tokenId);
  }

  #putGrant(row: Row): void {
    if (String(row.asset) !== this.vehicleAsset) return;
    const tokenId = BigInt(String(row.token_id));
    const grant = toGrant(row, Number(row.version));
    let map = this.vehicleGrants.get(tokenId);
    if (!map) this.vehicleGrants.set(tokenId, (map = new Map()));
    map.set(grant.grantee, grant);
  }

  #dropGrant(row: Row): void {
    if (String(row.asset) !== this.vehicleAsset) return;
    const tokenId = BigInt(String(row.token_id));
    const map = this.vehicleGrants.get(tokenId);
    const grantee = String(row.grantee);
    if (map?.get(grantee)?.version === Number(row.version)) map.delete(grantee);
    if (map && map.size === 0) this.vehicleGrants.delete(tokenId);
  }
}

function toGrant(row: Row, version: number): GrantRecord {
  const permissions = BigInt(String(row.permissions));
  return {
    grantee: String(row.grantee),
    grantor: String(row.grantor),
    version,
    permissions,
    held: heldPrivileges(permissions),
    expiration: Number(row.expiration),
    source: String(row.source),
    grantedAt: Number(row.granted_at),
  };
}

function lowerBound(ids: bigint[], id: bigint): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(ids: bigint[], id: bigint): void {
  if (ids.length === 0 || ids[ids.length - 1]! < id) ids.push(id);
  else {
    const at = lowerBound(ids, id);
    if (ids[at] !== id) ids.splice(at, 0, id);
  }
}

function removeSorted(ids: bigint[], id: bigint): void {
  const at = lowerBound(ids, id);
  if (ids[at] === id) ids.splice(at, 1);
}
