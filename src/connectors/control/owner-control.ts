// What an owner does with their connections: list them with their states, pause and resume polling,
// and disconnect — stop polling, revoke the OEM's access where its API allows (Smartcar: DELETE
// …/application; Tesla's Fleet API offers third-party apps no revocation), burn the synthetic device
// through the node's connection, and crypto-shred the stored tokens once no connection of the account
// is left. Each step is recorded in the owner's activity log.
import { OdmError, isOdmError } from '../../core/errors.ts';
import type { ConnectorsContext } from '../connectors-context.ts';
import { recordActivity } from '../owner-activity.ts';
import type { VehicleRow } from '../store/connector-store.ts';
import type { ConnectionView } from '../../api/shapes/connection.ts';

export type { ConnectionView };

export class OwnerControl {
  readonly #c: ConnectorsContext;

  constructor(ctx: ConnectorsContext) {
    this.#c = ctx;
  }

  async list(owner: string): Promise<ConnectionView[]> {
    const rows = await this.#c.store.vehiclesOfOwner(owner.toLowerCase());
    const accounts = new Map<string, { id: string; state: string; stateReason: string | null }>();
    const out: ConnectionView[] = [];
    for (const r of rows) {
      let a = accounts.get(r.account_id);
      if (!a) {
        const row = await this.#c.store.getAccount(r.account_id);
        a = { id: r.account_id, state: row?.state ?? 'disconnected', stateReason: row?.state_reason ?? null };
        accounts.set(r.account_id, a);
      }
      out.push(this.#view(r, a));
    }
    return out;
  }

  #view(r: VehicleRow, account: ConnectionView['account']): ConnectionView {
    const live = this.#c.runtime.pollState(r.connection_id);
    return {
      id: r.connection_id, oem: r.oem, state: r.state, stateReason: r.state_reason, oemVehicleId: r.oem_vehicle_id,
      make: r.make, model: r.model, year: r.year, vehicleId: r.vehicle_token_id, syntheticDeviceId: r.device_token_id, deviceAddress: r.device_address,
      pollState: live?.state ?? r.poll_state, lastDataAt: live?.lastDataAt ?? r.last_data_at, nextPollAt: live?.nextPollAt ?? null,
      notCapableOf: JSON.parse(r.dropped_paths) as string[], account, createdAt: r.created_at, updatedAt: r.updated_at,
    };
  }

  async #own(owner: string, id: string): Promise<VehicleRow> {
    const row = await this.#c.store.getVehicle(id);
    if (!row || row.owner !== owner.toLowerCase()) throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', 'no such connection of yours');
    return row;
  }

  async pause(owner: string, id: string): Promise<ConnectionView> {
    const c = this.#c;
    const row = await this.#own(owner, id);
    if (row.state === 'paused') return (await this.list(owner)).find((v) => v.id === id)!;
    if (row.state !== 'active') throw new OdmError('ODM_ERR_CONNECTION_STATE', `a ${row.state} connection cannot be paused`, { details: { state: row.state } });
    await c.runtime.remove(id);
    await c.store.updateVehicle(id, { state: 'paused', state_reason: 'paused by the owner', updated_at: c.clock.now() });
    await recordActivity(c.services, c.logger, { owner: row.owner, kind: 'pause', ...(row.vehicle_token_id ? { vehicleId: row.vehicle_token_id } : {}), detail: { oem: row.oem, connectionId: id } });
    return (await this.list(owner)).find((v) => v.id === id)!;
  }

  async resume(owner: string, id: string): Promise<ConnectionView> {
    const c = this.#c;
    const row = await this.#own(owner, id);
    if (row.state === 'active') return (await this.list(owner)).find((v) => v.id === id)!;
    if (row.state !== 'paused') throw new OdmError('ODM_ERR_CONNECTION_STATE', `a ${row.state} connection cannot be resumed${row.state === 'reauth_required' ? `: log in to ${row.oem} again` : ''}`, { details: { state: row.state } });
    const account = await c.store.getAccount(row.account_id);
    if (account?.state !== 'active') throw new OdmError('ODM_ERR_OEM_REAUTH_REQUIRED', `log in to ${row.oem} again before resuming`);
    await c.store.updateVehicle(id, { state: 'active', state_reason: null, updated_at: c.clock.now() });
    if (c.pollsHere()) await c.runtime.add({ ...row, state: 'active' });
    await recordActivity(c.services, c.logger, { owner: row.owner, kind: 'resume', ...(row.vehicle_token_id ? { vehicleId: row.vehicle_token_id } : {}), detail: { oem: row.oem, connectionId: id } });
    return (await this.list(owner)).find((v) => v.id === id)!;
  }

  async disconnect(owner: string, id: string): Promise<Record<string, unknown>> {
    const c = this.#c;
    const row = await this.#own(owner, id);
    if (row.state === 'disconnected') throw new OdmError('ODM_ERR_CONNECTION_STATE', 'the connection is already disconnected');
    await c.runtime.remove(id);

    // Revoke the OEM's access for this vehicle where the API allows it.
    let oemRevoked: boolean | string = false;
    const account = await c.store.getAccount(row.account_id);
    if (row.oem === 'smartcar' && c.apis.smartcar && account?.state === 'active') {
      try {
        const api = c.apis.smartcar;
        const res = await c.runtime.caller.call({ oem: 'smartcar', accountId: row.account_id, vehicleKey: id, category: 'state' }, (t) => api.disconnect(t, row.oem_vehicle_id));
        oemRevoked = res.status === 200;
      } catch (err) {
        oemRevoked = isOdmError(err) ? err.code : 'failed';
        c.logger.warn({ err, connectionId: id }, 'could not revoke Smartcar access; continuing the disconnect');
      }
    } else if (row.oem === 'tesla') {
      oemRevoked = 'not offered by the Tesla Fleet API (the owner revokes in the Tesla app)';
    }

    // Burn the synthetic device under the node's connection.
    let burned: string | null = null;
    let burnError: string | undefined;
    if (row.device_token_id) {
      try {
        burned = await c.chain.burnSyntheticDevice(BigInt(row.device_token_id));
      } catch (err) {
        burnError = isOdmError(err) ? err.code : 'failed';
        // Already burned by the owner (or gone with the vehicle) is fine.
        if (burnError !== 'ODM_ERR_TOKEN_NOT_FOUND') c.logger.warn({ err, connectionId: id }, 'could not burn the synthetic device');
      }
    }
    const now = c.clock.now();
    await c.store.updateVehicle(id, { state: 'disconnected', state_reason: 'disconnected by the owner', updated_at: now });
    c.keys.forget(row.device_path);

    // Shred the account's tokens when no live connection uses them any more.
    const others = (await c.store.vehiclesOfAccount(row.account_id)).filter((v) => v.connection_id !== id && v.state !== 'disconnected');
    let tokensShredded = false;
    if (others.length === 0 && account && account.state !== 'disconnected') {
      await c.store.shredAccount(row.account_id, 'no connection left', now);
      c.runtime.tokens.forget(row.account_id);
      tokensShredded = true;
    }
    await recordActivity(c.services, c.logger, {
      owner: row.owner, kind: 'disconnect', ...(row.vehicle_token_id ? { vehicleId: row.vehicle_token_id } : {}),
      detail: { event: 'oem connection removed', oem: row.oem, connectionId: id, oemRevoked, syntheticDeviceBurned: burned !== null, tokensShredded },
    });
    return { id, state: 'disconnected', oemRevoked, burnTxHash: burned, ...(burnError ? { burnError } : {}), tokensShredded };
  }
}
