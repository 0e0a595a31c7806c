// The connectors' rows: OEM accounts (tokens sealed) and the vehicles connected through them. Every
// query of the connectors goes through here, so the SQL stays in one place and on both dialects.
import type { Selectable, Updateable } from 'kysely';
import type { ConnectorAccountsTable, ConnectorVehiclesTable, Database } from '../../store/schema.ts';
import type { Kysely } from 'kysely';

export type AccountRow = Selectable<ConnectorAccountsTable>;
export type VehicleRow = Selectable<ConnectorVehiclesTable>;
export type Oem = 'tesla' | 'smartcar';
export const OEMS: readonly Oem[] = ['tesla', 'smartcar'];

/** States in which a vehicle row still belongs to a live connection. */
export const LIVE_STATES: readonly VehicleRow['state'][] = ['pending', 'active', 'paused', 'reauth_required'];

export class ConnectorStore {
  readonly db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.db = db;
  }

  async insertAccount(row: AccountRow): Promise<void> {
    await this.db.insertInto('connector_accounts').values(row).execute();
  }

  getAccount(accountId: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('connector_accounts').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  }

  /** The owner's account at an OEM user, if connected before (any state but disconnected). */
  findAccount(owner: string, oem: Oem, userHash: string): Promise<AccountRow | undefined> {
    return this.db
      .selectFrom('connector_accounts')
      .selectAll()
      .where('owner', '=', owner)
      .where('oem', '=', oem)
      .where('oem_user_hash', '=', userHash)
      .where('state', '!=', 'disconnected')
      .executeTakeFirst();
  }

  /**
   * Writes rotated tokens only if the stored version is still `expectVersion` (so two writers cannot
   * interleave); answers whether it was written.
   */
  async replaceTokens(
    accountId: string,
    expectVersion: number,
    patch: { tokens: Buffer; version: number; issuedAt: number; expiresAt: number; now: number; tokenKey?: Buffer; scopes?: string; state?: AccountRow['state'] },
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('connector_accounts')
      .set({
        tokens: patch.tokens,
        token_version: patch.version,
        access_issued_at: patch.issuedAt,
        access_expires_at: patch.expiresAt,
        updated_at: patch.now,
        ...(patch.tokenKey ? { token_key: patch.tokenKey } : {}),
        ...(patch.scopes !== undefined ? { scopes: patch.scopes } : {}),
        ...(patch.state ? { state: patch.state, state_reason: null } : {}),
      })
      .where('account_id', '=', accountId)
      .where('token_version', '=', expectVersion)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async setAccountState(accountId: string, state: AccountRow['state'], reason: string | null, now: number): Promise<void> {
    await this.db.updateTable('connector_accounts').set({ state, state_reason: reason, updated_at: now }).where('account_id', '=', accountId).execute();
  }

  async setAccountRegion(accountId: string, region: string, now: number): Promise<void> {
    await this.db.updateTable('connector_accounts').set({ region, updated_at: now }).where('account_id', '=', accountId).execute();
  }

  /** Crypto-shreds the account's tokens: the wrapped key and the ciphertext both go. */
  async shredAccount(accountId: string, reason: string, now: number): Promise<void> {
    await this.db
      .updateTable('connector_accounts')
      .set({ token_key: null, tokens: null, state: 'disconnected', state_reason: reason, updated_at: now })
      .where('account_id', '=', accountId)
      .execute();
  }

  async insertVehicle(row: VehicleRow): Promise<void> {
    await this.db.insertInto('connector_vehicles').values(row).execute();
  }

  getVehicle(connectionId: string): Promise<VehicleRow | undefined> {
    return this.db.selectFrom('connector_vehicles').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
  }

  /** The live connection of an OEM vehicle for this owner, if any. */
  findVehicle(owner: string, oem: Oem, oemVehicleId: string): Promise<VehicleRow | undefined> {
    return this.db
      .selectFrom('connector_vehicles')
      .selectAll()
      .where('owner', '=', owner)
      .where('oem', '=', oem)
      .where('oem_vehicle_id', '=', oemVehicleId)
      .where('state', 'in', LIVE_STATES)
      .executeTakeFirst();
  }

  /** How many connections (any state) this owner has had for this OEM vehicle: the next key generation. */
  async generations(owner: string, oem: Oem, oemVehicleId: string): Promise<number> {
    const r = await this.db
      .selectFrom('connector_vehicles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner', '=', owner)
      .where('oem', '=', oem)
      .where('oem_vehicle_id', '=', oemVehicleId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  vehiclesOfOwner(owner: string): Promise<VehicleRow[]> {
    return this.db.selectFrom('connector_vehicles').selectAll().where('owner', '=', owner).orderBy('created_at').orderBy('connection_id').execute();
  }

  vehiclesOfAccount(accountId: string): Promise<VehicleRow[]> {
    return this.db.selectFrom('connector_vehicles').selectAll().where('account_id', '=', accountId).execute();
  }

  /** The active (or paused) connection of an on-chain vehicle. */
  vehicleByToken(vehicleTokenId: string): Promise<VehicleRow | undefined> {
    return this.db
      .selectFrom('connector_vehicles')
      .selectAll()
      .where('vehicle_token_id', '=', vehicleTokenId)
      .where('state', 'in', ['active', 'paused'])
      .executeTakeFirst();
  }

  activeVehicles(): Promise<VehicleRow[]> {
    return this.db.selectFrom('connector_vehicles').selectAll().where('state', '=', 'active').execute();
  }

  async updateVehicle(connectionId: string, patch: Updateable<ConnectorVehiclesTable>): Promise<void> {
    await this.db.updateTable('connector_vehicles').set(patch).where('connection_id', '=', connectionId).execute();
  }

  /** Poll progress of many vehicles in one transaction (written behind, every few seconds). */
  async savePollProgress(rows: Array<{ connectionId: string; lastEmitted: string; pollState: string; lastDataAt: number | null; now: number }>): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const r of rows) {
        await trx
          .updateTable('connector_vehicles')
          .set({ last_emitted: r.lastEmitted, poll_state: r.pollState, last_data_at: r.lastDataAt, updated_at: r.now })
          .where('connection_id', '=', r.connectionId)
          .execute();
      }
    });
  }
}
