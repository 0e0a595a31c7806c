// Onboarding an OEM account, owner-authenticated from start to end:
//   authorize → an OEM login URL whose `state` is sealed by the node, bound to the owner and the OEM, valid
//               10 minutes, carrying the PKCE verifier where the OEM supports PKCE (Tesla);
//   callback  → the code is exchanged, the tokens stored sealed, the account's vehicles listed; each new
//               vehicle gets a device key derived for (owner, OEM vehicle) and the owner gets the EIP-712
//               payloads to sign: VehicleId's MintVehicle (unless the car already has its vehicle NFT)
//               and SyntheticDevice's MintSyntheticDevice;
//   activate  → with the owner's signatures the relayer mints the vehicle to the owner, the device key
//               signs the synthetic device mint inside the node, the relayer mints it under the node's
//               connection, and polling starts.
// The vehicle id in the synthetic-device payload is predicted (next id); if another mint takes it first,
// activate answers ODM_ERR_ONBOARDING_STALE with a fresh payload to sign (the vehicle stays minted).
import { randomBytes, randomUUID } from 'node:crypto';
import { getAddress, type Address, type Hex } from 'viem';
import { z } from 'zod';
import { OdmError, isOdmError } from '../../core/errors.ts';
import { apiOf, type ConnectorsContext } from '../connectors-context.ts';
import type { OemVehicle } from '../oem-types.ts';
import { recordActivity } from '../owner-activity.ts';
import { DeviceKeys } from '../signing/device-keys.ts';
import type { AccountRow, Oem, VehicleRow } from '../store/connector-store.ts';
import { pkcePair } from '../tesla/tesla-api.ts';
import { mintSyntheticTyped, mintVehicleTyped, typedJson, type JsonTypedData } from './signing-payloads.ts';

export const STATE_TTL_MS = 10 * 60_000;
/** How long the owner has to sign and activate. */
export const SIGNING_WINDOW_S = 3600;

interface OAuthState {
  /** owner */
  o: string;
  /** oem */
  m: Oem;
  /** expires (node clock, epoch ms) */
  e: number;
  /** PKCE verifier */
  v?: string;
  n: string;
}

export interface SigningPayloads {
  vehicle?: JsonTypedData;
  syntheticDevice: JsonTypedData;
}

export interface OnboardedVehicle {
  connectionId: string;
  oemVehicleId: string;
  make: string;
  model: string;
  year: number;
  displayName?: string;
  state: VehicleRow['state'];
  vehicleId: string | null;
  deviceAddress: string;
  /** Present while the connection waits for the owner's signatures. */
  signing?: SigningPayloads;
}

const uint = z.union([z.string().regex(/^(0|[1-9][0-9]{0,77})$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/).transform((v) => v as Hex);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/).transform((a) => getAddress(a.toLowerCase()));
export const activateBody = z.object({
  vehicle: z
    .object({
      message: z.object({ owner: address, make: z.string(), model: z.string(), year: z.number().int(), vinHash: hex, nonce: uint, deadline: uint }),
      signature: hex,
    })
    .optional(),
  syntheticDevice: z.object({
    message: z.object({ connectionId: uint, vehicleId: uint, device: address, nonce: uint, deadline: uint }),
    signature: hex,
  }),
});
export type ActivateBody = z.infer<typeof activateBody>;

export class Onboarding {
  readonly #c: ConnectorsContext;

  constructor(ctx: ConnectorsContext) {
    this.#c = ctx;
  }

  authorize(owner: string, oem: Oem): { authorizeUrl: string; state: string; expiresAt: number } {
    const api = apiOf(this.#c, oem);
    const expiresAt = this.#c.clock.now() + STATE_TTL_MS;
    const pkce = api.usesPkce ? pkcePair(randomBytes(32).toString('base64url')) : undefined;
    const st: OAuthState = { o: owner.toLowerCase(), m: oem, e: expiresAt, n: randomBytes(8).toString('hex'), ...(pkce ? { v: pkce.verifier } : {}) };
    const state = this.#c.sealing.sealTransient('oauth-state', st);
    return { authorizeUrl: api.authorizeUrl({ state, ...(pkce ? { codeChallenge: pkce.challenge } : {}) }), state, expiresAt };
  }

  async callback(owner: string, oem: Oem, q: { code?: string; state?: string; error?: string; error_description?: string }): Promise<{ accountId: string; oem: Oem; vehicles: OnboardedVehicle[] }> {
    const c = this.#c;
    const me = owner.toLowerCase();
    if (q.error) throw new OdmError('ODM_ERR_OAUTH_DENIED', `${oem} login did not complete: ${q.error}`, { details: { oem, error: q.error } });
    if (!q.code || !q.state) throw new OdmError('ODM_ERR_VALIDATION', 'code and state are required');
    let st: OAuthState;
    try {
      st = c.sealing.openTransient<OAuthState>('oauth-state', q.state);
    } catch {
      throw new OdmError('ODM_ERR_OAUTH_STATE_INVALID', 'the OAuth state was not issued by this node');
    }
    if (st.o !== me) throw new OdmError('ODM_ERR_OAUTH_STATE_INVALID', 'the OAuth state belongs to another owner');
    if (st.m !== oem) throw new OdmError('ODM_ERR_OAUTH_STATE_INVALID', `the OAuth state was issued for ${st.m}, not ${oem}`);
    if (c.clock.now() > st.e) throw new OdmError('ODM_ERR_OAUTH_STATE_INVALID', 'the OAuth state has expired; start again');

    const api = apiOf(c, oem);
    const grant = await api.exchangeCode(q.code, st.v);
    const info = await api.account(grant.accessToken);
    const userHash = c.sealing.userHash(oem, info.userId);
    const now = c.clock.now();
    const scopes = grant.scopes.join(' ');
    let account = await c.store.findAccount(me, oem, userHash);
    let relinked = false;
    if (account) {
      relinked = account.state === 'reauth_required';
      await c.runtime.tokens.replaceAfterLogin(account.account_id, grant, scopes);
      if (info.region && info.region !== account.region) await c.store.setAccountRegion(account.account_id, info.region, now);
    } else {
      const accountId = randomUUID();
      const sealed = c.runtime.tokens.sealInitial(accountId, grant, now);
      const row: AccountRow = {
        account_id: accountId, oem, owner: me, oem_user_hash: userHash, region: info.region ?? null, state: 'active', state_reason: null,
        token_key: sealed.tokenKey, tokens: sealed.tokens, token_version: sealed.version, access_issued_at: sealed.issuedAt, access_expires_at: sealed.expiresAt,
        scopes, created_at: now, updated_at: now,
      };
      await c.store.insertAccount(row);
      account = row;
    }
    const accountId = account.account_id;

    const listed = await api.vehicles(grant.accessToken, info);
    const rows: Array<{ row: VehicleRow; v: OemVehicle }> = [];
    for (const v of listed) rows.push({ row: await this.#vehicleRow(account, v), v });

    // Connections that waited for this login resume now.
    for (const { row } of rows) {
      if (row.state !== 'reauth_required') continue;
      await c.store.updateVehicle(row.connection_id, { state: 'active', state_reason: null, account_id: accountId, updated_at: now });
      row.state = 'active';
      if (c.pollsHere()) await c.runtime.add({ ...row, account_id: accountId });
    }
    await recordActivity(c.services, c.logger, {
      owner: me, kind: 'connect',
      detail: { event: relinked ? 'oem login renewed' : 'oem account linked', oem, vehicles: listed.length },
    });

    const pending = rows.filter((r) => r.row.state === 'pending').map((r) => r.row);
    const payloads = pending.length ? await this.payloads(me, oem, pending) : new Map<string, SigningPayloads>();
    return {
      accountId,
      oem,
      vehicles: rows.map(({ row, v }) => ({
        connectionId: row.connection_id, oemVehicleId: row.oem_vehicle_id, make: row.make, model: row.model, year: row.year,
        ...(v.displayName ? { displayName: v.displayName } : {}),
        state: row.state, vehicleId: row.vehicle_token_id, deviceAddress: getAddress(row.device_address),
        ...(payloads.has(row.connection_id) ? { signing: payloads.get(row.connection_id)! } : {}),
      })),
    };
  }

  /** The live row for this OEM vehicle, or a new pending one with a fresh device key. */
  async #vehicleRow(account: AccountRow, v: OemVehicle): Promise<VehicleRow> {
    const c = this.#c;
    const existing = await c.store.findVehicle(account.owner, account.oem, v.oemVehicleId);
    if (existing) {
      if (existing.account_id !== account.account_id) {
        await c.store.updateVehicle(existing.connection_id, { account_id: account.account_id, updated_at: c.clock.now() });
        existing.account_id = account.account_id;
      }
      return existing;
    }
    let generation = await c.store.generations(account.owner, account.oem, v.oemVehicleId);
    let path = DeviceKeys.pathFor(account.owner, account.oem, v.oemVehicleId, generation);
    // A device address can be registered on chain once only: skip generations already used.
    for (let i = 0; i < 8 && (await c.chain.deviceAddressUsed(c.keys.address(path))); i++) {
      path = DeviceKeys.pathFor(account.owner, account.oem, v.oemVehicleId, ++generation);
    }
    const now = c.clock.now();
    const row: VehicleRow = {
      connection_id: randomUUID(), account_id: account.account_id, oem: account.oem, owner: account.owner, oem_vehicle_id: v.oemVehicleId,
      make: v.make.slice(0, 64) || account.oem, model: v.model.slice(0, 64) || 'unknown', year: v.year,
      vin_hash: c.sealing.vinHash(v.vin), device_path: path, device_address: c.keys.address(path).toLowerCase(),
      vehicle_token_id: null, device_token_id: null, state: 'pending', state_reason: null,
      dropped_paths: '[]', last_emitted: '{}', poll_state: 'unknown', last_data_at: null, created_at: now, updated_at: now,
    };
    await c.store.insertVehicle(row);
    return row;
  }

  /**
   * Fresh payloads for pending connections, in order: each new vehicle takes the owner's next VehicleId
   * nonce and the next vehicle id; each synthetic device the owner's next SyntheticDevice nonce.
   */
  async payloads(owner: string, oem: Oem, rows: VehicleRow[]): Promise<Map<string, SigningPayloads>> {
    const c = this.#c;
    const ownerAddress = getAddress(owner);
    const connectionId = c.chain.connectionOf(oem);
    const vehicleContract = c.chain.contract('VehicleId');
    const deviceContract = c.chain.contract('SyntheticDevice');
    const [deadline, vehicleNonce0, deviceNonce0, nextId0] = await Promise.all([
      c.chain.deadline(SIGNING_WINDOW_S), c.chain.nonce('VehicleId', ownerAddress), c.chain.nonce('SyntheticDevice', ownerAddress), c.chain.nextVehicleId(),
    ]);
    let vehicleNonce = vehicleNonce0;
    let deviceNonce = deviceNonce0;
    let nextId = nextId0;
    const out = new Map<string, SigningPayloads>();
    for (const row of rows) {
      let vehicleId = row.vehicle_token_id === null ? await this.#existingVehicle(row) : BigInt(row.vehicle_token_id);
      if (vehicleId !== undefined && row.vehicle_token_id === null) {
        await c.store.updateVehicle(row.connection_id, { vehicle_token_id: vehicleId.toString(), updated_at: c.clock.now() });
        row.vehicle_token_id = vehicleId.toString();
      }
      let vehicle: JsonTypedData | undefined;
      if (vehicleId === undefined) {
        vehicle = typedJson(mintVehicleTyped(c.chain.chainId, vehicleContract, { owner: ownerAddress, make: row.make, model: row.model, year: row.year, vinHash: row.vin_hash as Hex, nonce: vehicleNonce++, deadline }));
        vehicleId = nextId++;
      }
      const syntheticDevice = typedJson(mintSyntheticTyped(c.chain.chainId, deviceContract, { connectionId, vehicleId, device: getAddress(row.device_address), nonce: deviceNonce++, deadline }));
      out.set(row.connection_id, { ...(vehicle ? { vehicle } : {}), syntheticDevice });
    }
    return out;
  }

  /** The owner's vehicle NFT already committed to this VIN (a car connected before), if any. */
  async #existingVehicle(row: VehicleRow): Promise<bigint | undefined> {
    const hit = await this.#c.store.db
      .selectFrom('identity_vehicles')
      .select('token_id')
      .where('owner', '=', row.owner)
      .where('vin_hash', '=', row.vin_hash.toLowerCase())
      .orderBy('minted_at', 'desc')
      .executeTakeFirst();
    return hit ? BigInt(hit.token_id) : undefined;
  }

  async activate(owner: string, oem: Oem, oemVehicleId: string, body: ActivateBody): Promise<Record<string, unknown>> {
    const c = this.#c;
    const me = owner.toLowerCase();
    const row = await c.store.findVehicle(me, oem, oemVehicleId);
    if (!row) throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', `no ${oem} vehicle ${oemVehicleId} waits for activation; log in to ${oem} first`);
    if (row.state !== 'pending') throw new OdmError('ODM_ERR_CONNECTION_STATE', `the connection is ${row.state}, not waiting for activation`, { details: { state: row.state } });
    const account = await c.store.getAccount(row.account_id);
    if (account?.state !== 'active') throw new OdmError('ODM_ERR_OEM_REAUTH_REQUIRED', `log in to ${oem} again before activating`);
    const connectionId = c.chain.connectionOf(oem);
    const device = getAddress(row.device_address);
    const txHashes: Record<string, string> = {};

    if (row.vehicle_token_id === null) {
      const existing = await this.#existingVehicle(row);
      if (existing !== undefined) row.vehicle_token_id = existing.toString();
    }
    if (row.vehicle_token_id === null) {
      const v = body.vehicle;
      if (!v) throw new OdmError('ODM_ERR_VALIDATION', 'this vehicle has no vehicle NFT yet: include the signed MintVehicle (`vehicle`)');
      const m = v.message;
      if (m.owner.toLowerCase() !== me || m.make !== row.make || m.model !== row.model || m.year !== row.year || m.vinHash.toLowerCase() !== row.vin_hash.toLowerCase()) {
        throw new OdmError('ODM_ERR_VALIDATION', 'the signed MintVehicle does not describe this vehicle or this owner; sign the payload the callback returned');
      }
      const minted = await this.#stale(me, oem, row, () => c.chain.mintVehicle(m.owner, { make: m.make, model: m.model, year: m.year, vinHash: m.vinHash }, m.nonce, m.deadline, v.signature));
      row.vehicle_token_id = minted.vehicleId.toString();
      txHashes.vehicle = minted.txHash;
      await c.store.updateVehicle(row.connection_id, { vehicle_token_id: row.vehicle_token_id, updated_at: c.clock.now() });
    }
    const vehicleId = BigInt(row.vehicle_token_id);

    const sd = body.syntheticDevice.message;
    if (sd.device.toLowerCase() !== device.toLowerCase() || sd.connectionId !== connectionId) {
      throw new OdmError('ODM_ERR_VALIDATION', "the signed MintSyntheticDevice names another device or connection than this vehicle's");
    }
    if (sd.vehicleId !== vehicleId) throw await this.#staleError(me, oem, row, `the vehicle was minted as ${vehicleId}, not ${sd.vehicleId}: sign the synthetic device again`);

    const deviceNonce = await c.chain.nonce('SyntheticDevice', device);
    const deviceSignature = await c.keys.signTypedData(row.device_path, mintSyntheticTyped(c.chain.chainId, c.chain.contract('SyntheticDevice'), { connectionId, vehicleId, device, nonce: deviceNonce, deadline: sd.deadline }));
    const minted = await this.#stale(me, oem, row, () =>
      c.chain.mintSyntheticDevice({ connectionId, vehicleId, device, deadline: sd.deadline, ownerNonce: sd.nonce, ownerSignature: body.syntheticDevice.signature, deviceNonce, deviceSignature }),
    );
    txHashes.syntheticDevice = minted.txHash;
    const now = c.clock.now();
    await c.store.updateVehicle(row.connection_id, { state: 'active', device_token_id: minted.syntheticDeviceId.toString(), vehicle_token_id: vehicleId.toString(), updated_at: now });
    const active = await c.store.getVehicle(row.connection_id);
    if (c.pollsHere()) await c.runtime.add(active!);
    return {
      connectionId: row.connection_id, oem, oemVehicleId, state: 'active',
      vehicleId: vehicleId.toString(), syntheticDeviceId: minted.syntheticDeviceId.toString(), deviceAddress: device, txHashes,
    };
  }

  /** Fresh payloads for one pending connection (e.g. after ODM_ERR_ONBOARDING_STALE). */
  async signing(owner: string, oem: Oem, oemVehicleId: string): Promise<SigningPayloads> {
    const row = await this.#c.store.findVehicle(owner.toLowerCase(), oem, oemVehicleId);
    if (!row || row.state !== 'pending') throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', `no ${oem} vehicle ${oemVehicleId} waits for activation`);
    return (await this.payloads(owner.toLowerCase(), oem, [row])).get(row.connection_id)!;
  }

  /** Nonce and deadline refusals mean the owner signed something outdated: answer fresh payloads. */
  async #stale<T>(owner: string, oem: Oem, row: VehicleRow, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isOdmError(err) && (err.code === 'ODM_ERR_NONCE_INVALID' || err.code === 'ODM_ERR_SIGNATURE_EXPIRED')) throw await this.#staleError(owner, oem, row, err.message);
      throw err;
    }
  }

  async #staleError(owner: string, oem: Oem, row: VehicleRow, message: string): Promise<OdmError> {
    const fresh = (await this.payloads(owner, oem, [row])).get(row.connection_id)!;
    return new OdmError('ODM_ERR_ONBOARDING_STALE', message, { details: { connectionId: row.connection_id, signing: fresh } });
  }
}

export type { Address };
