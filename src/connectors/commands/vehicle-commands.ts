// Lock and unlock for apps. Allowed only to a grantee holding privilege 2 (commands) on the vehicle now
// (the identity mirror's access check), executed through the OEM API of the vehicle's connection
// (Tesla command/door_lock|door_unlock, Smartcar POST /security), and recorded in the owner's activity
// log. Commands are not the data path: a sleeping Tesla is woken for a command (wake_up, then the
// command once the cloud reports it online), within a bounded wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { getAccessCheck } from '../../consent/access-check.ts';
import { OdmError, isOdmError } from '../../core/errors.ts';
import { getIdentityLookup } from '../../identity/identity-lookup.ts';
import type { ConnectorsContext } from '../connectors-context.ts';
import type { OemResponse } from '../http/oem-http.ts';
import { recordActivity, requireActivityLog } from '../owner-activity.ts';
import { smartcarErrorCode } from '../smartcar/smartcar-api.ts';
import type { VehicleRow } from '../store/connector-store.ts';

export type CommandName = 'lock' | 'unlock';
export const COMMANDS: readonly CommandName[] = ['lock', 'unlock'];
/** Privilege 2: send commands to the vehicle. */
export const COMMAND_PRIVILEGE = 2;

export interface CommandOptions {
  /** How long to wait for a woken Tesla (real time). Default 30 s. */
  wakeWaitMs?: number;
  /** Between state checks while waiting. Default 2 s. */
  wakePollMs?: number;
}

export class VehicleCommands {
  readonly #c: ConnectorsContext;
  readonly #o: Required<CommandOptions>;

  constructor(ctx: ConnectorsContext, options: CommandOptions = {}) {
    this.#c = ctx;
    this.#o = { wakeWaitMs: options.wakeWaitMs ?? 30_000, wakePollMs: options.wakePollMs ?? 2_000 };
  }

  async execute(grantee: string, vehicleId: bigint, command: CommandName): Promise<Record<string, unknown>> {
    const c = this.#c;
    const missing = getAccessCheck(c.services).missing(grantee, vehicleId, [COMMAND_PRIVILEGE]);
    if (missing.length > 0) {
      throw new OdmError('ODM_ERR_CONSENT_MISSING', `the owner has not granted ${grantee} privilege ${COMMAND_PRIVILEGE} (commands) on vehicle ${vehicleId}`, { details: { missing, vehicleId: vehicleId.toString(), grantee } });
    }
    const row = await c.store.vehicleByToken(vehicleId.toString());
    if (!row) throw new OdmError('ODM_ERR_CONNECTION_NOT_FOUND', `vehicle ${vehicleId} has no active OEM connection on this node`);
    // Every command is recorded: refuse rather than act unrecorded.
    requireActivityLog(c.services);
    const owner = getIdentityLookup(c.services).vehicle(vehicleId)?.owner ?? row.owner;
    const started = c.clock.now();
    let error: OdmError | undefined;
    try {
      if (row.oem === 'tesla') await this.#tesla(row, command);
      else await this.#smartcar(row, command);
    } catch (err) {
      error = isOdmError(err) ? err : new OdmError('ODM_ERR_COMMAND_FAILED', `the ${command} command failed`, { cause: err });
    }
    await recordActivity(c.services, c.logger, {
      owner, kind: 'command', vehicleId: vehicleId.toString(), app: { address: grantee }, privileges: [COMMAND_PRIVILEGE],
      detail: { command, oem: row.oem, result: error ? 'failed' : 'ok', ...(error ? { code: error.code } : {}) },
    });
    if (error) throw error;
    return { vehicleId: vehicleId.toString(), command, result: 'ok', oem: row.oem, at: started };
  }

  async #tesla(row: VehicleRow, command: CommandName): Promise<void> {
    const c = this.#c;
    const api = c.apis.tesla;
    if (!api) throw new OdmError('ODM_ERR_OEM_NOT_CONFIGURED', 'tesla is not configured on this node');
    const region = await c.runtime.regionOf(row.account_id);
    const name = command === 'lock' ? 'door_lock' : 'door_unlock';
    const send = () => c.runtime.caller.call({ oem: 'tesla', accountId: row.account_id, vehicleKey: row.connection_id, category: 'command' }, (t) => api.command(t, region, row.oem_vehicle_id, name));
    let res = await send();
    if (res.status === 408) {
      await c.runtime.caller.call({ oem: 'tesla', accountId: row.account_id, vehicleKey: row.connection_id, category: 'wake' }, (t) => api.wakeUp(t, region, row.oem_vehicle_id));
      const deadline = Date.now() + this.#o.wakeWaitMs;
      let online = false;
      while (!online && Date.now() < deadline) {
        await sleep(this.#o.wakePollMs);
        const s = await c.runtime.caller.call({ oem: 'tesla', accountId: row.account_id, vehicleKey: row.connection_id, category: 'state' }, (t) => api.vehicleState(t, region, row.oem_vehicle_id));
        online = (s.body as { response?: { state?: string } } | null)?.response?.state === 'online';
      }
      if (!online) throw new OdmError('ODM_ERR_VEHICLE_ASLEEP', 'the vehicle was asleep and has not woken up yet; try again shortly', { details: { retryAfterS: 15 } });
      res = await send();
    }
    const ok = res.status === 200 && (res.body as { response?: { result?: boolean } } | null)?.response?.result === true;
    if (!ok) throw failed(res, command);
  }

  async #smartcar(row: VehicleRow, command: CommandName): Promise<void> {
    const c = this.#c;
    const api = c.apis.smartcar;
    if (!api) throw new OdmError('ODM_ERR_OEM_NOT_CONFIGURED', 'smartcar is not configured on this node');
    const res = await c.runtime.caller.call({ oem: 'smartcar', accountId: row.account_id, vehicleKey: row.connection_id, category: 'command' }, (t) =>
      api.security(t, row.oem_vehicle_id, command === 'lock' ? 'LOCK' : 'UNLOCK'),
    );
    if (res.status === 409 && smartcarErrorCode(res.body) === 'VEHICLE_STATE:ASLEEP') {
      throw new OdmError('ODM_ERR_VEHICLE_ASLEEP', 'the vehicle is asleep; try again shortly', { details: { retryAfterS: 60 } });
    }
    if (res.status !== 200 || (res.body as { status?: string } | null)?.status !== 'success') throw failed(res, command);
  }
}

function failed(res: OemResponse, command: string): OdmError {
  const b = res.body as { error?: unknown; type?: unknown; code?: unknown } | null;
  return new OdmError('ODM_ERR_COMMAND_FAILED', `the vehicle's OEM refused the ${command} command (${res.status})`, {
    details: { status: res.status, error: typeof b?.error === 'string' ? b.error : (smartcarErrorCode(b) ?? null) },
  });
}
