// Which vehicles belong to which data unions. A membership is made by the owner for one owner epoch of
// the vehicle (its token version): after a transfer the vehicle is in no union until the new owner
// chooses. Replacing a vehicle's set is one transaction; leaving deletes the row, so the vehicle is
// absent from every release computed afterwards.
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { UNION_IDS } from './union-catalog.ts';

export interface Membership {
  vehicleId: string;
  version: number;
  unionId: string;
  owner: string;
  joinedAt: number;
}

export function validateUnionIds(input: unknown): string[] {
  const body = input as { unions?: unknown } | null;
  const list = typeof body === 'object' && body !== null ? body.unions : undefined;
  if (!Array.isArray(list) || list.some((u) => typeof u !== 'string')) {
    throw new OdmError('ODM_ERR_VALIDATION', 'expected {"unions": ["battery-health", …]} (an empty list leaves every union)');
  }
  const unknown = (list as string[]).filter((u) => !UNION_IDS.includes(u));
  if (unknown.length > 0) {
    throw new OdmError('ODM_ERR_UNION_UNKNOWN', `no such data union: ${unknown.join(', ')}`, { details: { unknown, known: [...UNION_IDS] } });
  }
  return [...new Set(list as string[])].sort();
}

export class UnionMemberships {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The unions of a vehicle in one owner epoch, sorted. */
  async of(vehicleId: string, version: number): Promise<string[]> {
    const rows = await this.#store.db.selectFrom('union_memberships').select('union_id').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).execute();
    return rows.map((r) => r.union_id).sort();
  }

  /** Replaces the vehicle's unions; returns what it joined and left. */
  async set(vehicleId: string, version: number, owner: string, unions: string[]): Promise<{ joined: string[]; left: string[]; unions: string[] }> {
    const now = this.#clock.now();
    const result = await this.#store.db.transaction().execute(async (trx) => {
      const current = (await trx.selectFrom('union_memberships').select('union_id').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).execute()).map((r) => r.union_id);
      const left = current.filter((u) => !unions.includes(u)).sort();
      const joined = unions.filter((u) => !current.includes(u)).sort();
      if (left.length > 0) await trx.deleteFrom('union_memberships').where('vehicle_id', '=', vehicleId).where('owner_version', '=', version).where('union_id', 'in', left).execute();
      if (joined.length > 0) {
        await trx.insertInto('union_memberships').values(joined.map((u) => ({ vehicle_id: vehicleId, owner_version: version, union_id: u, owner: owner.toLowerCase(), joined_at: now }))).execute();
      }
      return { joined, left, unions: [...unions].sort() };
    });
    return result;
  }

  /** Every membership of a union (all epochs; callers keep those of the current owner and version). */
  async members(unionId: string): Promise<Membership[]> {
    const rows = await this.#store.db.selectFrom('union_memberships').selectAll().where('union_id', '=', unionId).execute();
    return rows.map((r) => ({ vehicleId: r.vehicle_id, version: r.owner_version, unionId: r.union_id, owner: r.owner, joinedAt: Number(r.joined_at) }));
  }

  /** Every membership (rewards count the unions of each vehicle). */
  async all(): Promise<Membership[]> {
    const rows = await this.#store.db.selectFrom('union_memberships').selectAll().execute();
    return rows.map((r) => ({ vehicleId: r.vehicle_id, version: r.owner_version, unionId: r.union_id, owner: r.owner, joinedAt: Number(r.joined_at) }));
  }
}
