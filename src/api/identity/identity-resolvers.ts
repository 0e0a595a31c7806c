// Resolvers of the identity GraphQL, all served from the in-memory identity mirror.
import { GraphQLScalarType, Kind } from 'graphql';
import mercurius from 'mercurius';
import { getAddress, type Address } from 'viem';
import type { Clock } from '../../core/clock.ts';
import { formatAssetDid } from '../../consent/asset-did.ts';
import type { AftermarketDeviceRecord, GrantRecord, IdentityIndex, ProviderRecord, SyntheticDeviceRecord, VehicleRecord } from '../../identity/identity-index.ts';
import { invalid, paginate, type PageArgs } from './paging.ts';

export interface IdentityView {
  index: IdentityIndex;
  clock: Clock;
  chainId: number;
  contracts: Record<string, Address>;
}

export interface IdentityContext {
  view(): IdentityView;
}

interface Sacd {
  grant: GrantRecord;
  accountWide: boolean;
}

const MAX_DATE_MS = 8.64e15;

function timeString(ms: number): string {
  return new Date(Math.min(ms, MAX_DATE_MS)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function parseAddress(value: unknown): string {
  if (typeof value !== 'string' || !ADDRESS.test(value)) throw invalid('an Address is a 0x-prefixed 20-byte hex string');
  return value.toLowerCase();
}

const scalars = {
  Time: new GraphQLScalarType({
    name: 'Time',
    serialize: (v) => timeString(Number(v)),
    parseValue: (v) => Date.parse(String(v)),
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? Date.parse(ast.value) : null),
  }),
  Address: new GraphQLScalarType({
    name: 'Address',
    serialize: (v) => getAddress(String(v)),
    parseValue: parseAddress,
    parseLiteral: (ast) => parseAddress(ast.kind === Kind.STRING ? ast.value : undefined),
  }),
  BigInt: new GraphQLScalarType({
    name: 'BigInt',
    serialize: (v) => String(v),
    parseValue: (v) => BigInt(String(v)),
    parseLiteral: (ast) => (ast.kind === Kind.STRING || ast.kind === Kind.INT ? BigInt(ast.value) : null),
  }),
};

function notFound(what: string): Error {
  return new mercurius.ErrorWithProps(`no ${what}`, { code: 'ODM_ERR_NOT_FOUND' }, 200);
}

/** GraphQL Int is 32-bit; larger token ids cannot be shown as Int. */
function int(id: bigint): number {
  if (id > 2_147_483_647n) throw new mercurius.ErrorWithProps('token id exceeds GraphQL Int', { code: 'ODM_ERR_VALIDATION' });
  return Number(id);
}

function tokenId(v: number): bigint {
  if (!Number.isInteger(v) || v < 0) throw invalid('tokenId must be a non-negative integer');
  return BigInt(v);
}

/** Active grants on the vehicle: per-vehicle at the current version and the owner's account grants. */
function activeSacds(view: IdentityView, vehicle: VehicleRecord): Sacd[] {
  const now = Math.floor(view.clock.now() / 1000);
  const out: Sacd[] = [];
  for (const grant of view.index.currentGrants(vehicle.tokenId)) if (grant.expiration > now) out.push({ grant, accountWide: false });
  for (const grant of view.index.accountGrants.get(vehicle.owner)?.values() ?? []) if (grant.expiration > now) out.push({ grant, accountWide: true });
  // Newest first, as DIMO lists them.
  return out.sort((a, b) => b.grant.grantedAt - a.grant.grantedAt || (a.grant.grantee < b.grant.grantee ? -1 : 1));
}

const sacdKey = (s: Sacd) => `${s.accountWide ? 'a' : 'v'}:${s.grant.grantee}`;

function privileged(view: IdentityView, vehicle: VehicleRecord, who: string): boolean {
  return vehicle.owner === who || activeSacds(view, vehicle).some((s) => s.grant.grantee === who);
}

function did(view: IdentityView, contract: string, id: bigint): string {
  const address = view.contracts[contract];
  return address ? formatAssetDid({ chainId: view.chainId, contract: address, tokenId: id }) : '';
}

export const identityResolvers = {
  ...scalars,
  Query: {
    vehicle(_: unknown, args: { tokenId: number }, ctx: IdentityContext) {
      const vehicle = ctx.view().index.vehicles.get(tokenId(args.tokenId));
      if (!vehicle) throw notFound(`vehicle with token id ${args.tokenId}`);
      return vehicle;
    },
    vehicles(_: unknown, args: PageArgs & { filterBy?: { owner?: string; privileged?: string; make?: string; model?: string; year?: number } | null }, ctx: IdentityContext) {
      const view = ctx.view();
      const f = args.filterBy ?? {};
      const ids = view.index.vehicleIds(f.owner ?? undefined);
      const list: VehicleRecord[] = [];
      for (let i = ids.length - 1; i >= 0; i--) {
        const v = view.index.vehicles.get(ids[i]!);
        if (!v) continue;
        if (f.make != null && v.make !== f.make) continue;
        if (f.model != null && v.model !== f.model) continue;
        if (f.year != null && v.year !== f.year) continue;
        if (f.privileged != null && !privileged(view, v, f.privileged)) continue;
        list.push(v);
      }
      return paginate(list, (v) => String(v.tokenId), args);
    },
    syntheticDevice(_: unknown, args: { by: { tokenId?: number | null; address?: string | null } }, ctx: IdentityContext) {
      const index = ctx.view().index;
      const id = by(args.by, (address) => {
        const d = index.deviceByAddress(address);
        return d?.kind === 'synthetic' ? d.tokenId : undefined;
      });
      const device = id === undefined ? undefined : index.syntheticDevices.get(id);
      if (!device) throw notFound('such synthetic device');
      return device;
    },
    aftermarketDevice(_: unknown, args: { by: { tokenId?: number | null; address?: string | null } }, ctx: IdentityContext) {
      const index = ctx.view().index;
      const id = by(args.by, (address) => {
        const d = index.deviceByAddress(address);
        return d?.kind === 'aftermarket' ? d.tokenId : undefined;
      });
      const device = id === undefined ? undefined : index.aftermarketDevices.get(id);
      if (!device) throw notFound('such aftermarket device');
      return device;
    },
  },
  Vehicle: {
    id: (v: VehicleRecord) => `V_${v.tokenId}`,
    tokenId: (v: VehicleRecord) => int(v.tokenId),
    tokenDID: (v: VehicleRecord, _: unknown, ctx: IdentityContext) => did(ctx.view(), 'VehicleId', v.tokenId),
    owner: (v: VehicleRecord) => v.owner,
    mintedAt: (v: VehicleRecord) => v.mintedAt,
    definition: (v: VehicleRecord) => ({ id: null, make: v.make, model: v.model, year: v.year }),
    syntheticDevice: (v: VehicleRecord, _: unknown, ctx: IdentityContext) => ctx.view().index.syntheticOfVehicle(v.tokenId) ?? null,
    aftermarketDevice: (v: VehicleRecord, _: unknown, ctx: IdentityContext) => ctx.view().index.aftermarketOfVehicle(v.tokenId) ?? null,
    sacds: (v: VehicleRecord, args: PageArgs, ctx: IdentityContext) => paginate(activeSacds(ctx.view(), v), sacdKey, { first: args.first ?? null, after: args.after ?? null }),
    sacd(v: VehicleRecord, args: { grantee: string }, ctx: IdentityContext) {
      const found = activeSacds(ctx.view(), v).filter((s) => s.grant.grantee === args.grantee);
      return found.find((s) => !s.accountWide) ?? found[0] ?? null;
    },
  },
  SyntheticDevice: {
    id: (d: SyntheticDeviceRecord) => `S_${d.tokenId}`,
    tokenId: (d: SyntheticDeviceRecord) => int(d.tokenId),
    tokenDID: (d: SyntheticDeviceRecord, _: unknown, ctx: IdentityContext) => did(ctx.view(), 'SyntheticDevice', d.tokenId),
    integrationId: (d: SyntheticDeviceRecord) => int(d.connectionId),
    connection: (d: SyntheticDeviceRecord, _: unknown, ctx: IdentityContext) => ctx.view().index.connections.get(d.connectionId) ?? null,
    vehicle(d: SyntheticDeviceRecord, _: unknown, ctx: IdentityContext) {
      const v = ctx.view().index.vehicles.get(d.vehicleId);
      if (!v) throw notFound(`vehicle with token id ${d.vehicleId}`);
      return v;
    },
  },
  Connection: {
    address: (c: ProviderRecord) => c.address ?? '0x0000000000000000000000000000000000000000',
  },
  AftermarketDevice: {
    id: (d: AftermarketDeviceRecord) => `A_${d.tokenId}`,
    tokenId: (d: AftermarketDeviceRecord) => int(d.tokenId),
    tokenDID: (d: AftermarketDeviceRecord, _: unknown, ctx: IdentityContext) => did(ctx.view(), 'AftermarketDevice', d.tokenId),
    manufacturer(d: AftermarketDeviceRecord, _: unknown, ctx: IdentityContext) {
      const m = ctx.view().index.manufacturers.get(d.manufacturerId);
      if (!m) throw notFound(`manufacturer ${d.manufacturerId}`);
      return m;
    },
    claimedAt: (d: AftermarketDeviceRecord) => d.claimedAt ?? null,
    pairedAt: (d: AftermarketDeviceRecord) => d.pairedAt ?? null,
    vehicle: (d: AftermarketDeviceRecord, _: unknown, ctx: IdentityContext) => (d.vehicleId === undefined ? null : (ctx.view().index.vehicles.get(d.vehicleId) ?? null)),
  },
  Manufacturer: {
    id: (m: ProviderRecord) => `M_${m.tokenId}`,
    tokenId: (m: ProviderRecord) => int(m.tokenId),
  },
  Sacd: {
    grantee: (s: Sacd) => s.grant.grantee,
    permissions: (s: Sacd) => `0x${s.grant.permissions.toString(16)}`,
    source: (s: Sacd) => s.grant.source,
    createdAt: (s: Sacd) => s.grant.grantedAt,
    expiresAt: (s: Sacd) => s.grant.expiration * 1000,
    accountWide: (s: Sacd) => s.accountWide,
  },
};

/** One of tokenId / address, as DIMO's `by` inputs (@oneOf). */
function by(input: { tokenId?: number | null; address?: string | null }, byAddress: (address: string) => bigint | undefined): bigint | undefined {
  const given = [input.tokenId, input.address].filter((v) => v != null).length;
  if (given !== 1) throw invalid('give exactly one of tokenId and address');
  return input.tokenId != null ? tokenId(input.tokenId) : byAddress(input.address!);
}
