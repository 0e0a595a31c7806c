// Turns the identity mirror's committed row changes into owner activity: grants and revocations (per
// vehicle and account-wide), vehicles minted, transferred and burned, devices connected and
// disconnected. Runs after the identity index has applied the same changes (its listener registered
// first), so device owners are looked up in the updated index. Reorg rollbacks are recorded too, marked
// `reorg`, so the log says what the node believed and when it stopped believing it.
import type { Row, RowChange, CommitInfo } from '../chain/indexer/indexer-types.ts';
import { maskToPrivileges } from '../consent/privileges.ts';
import type { ActivityEntryInput } from './activity-log.ts';

export interface ChainActivityContext {
  /** Current owner (lowercase) of a vehicle, from the identity index. */
  ownerOf(vehicleId: bigint): string | undefined;
  now(): number;
}

const text = (v: Row[string] | undefined): string => String(v);

function privileges(row: Row): number[] {
  try {
    return maskToPrivileges(BigInt(text(row.permissions)));
  } catch {
    return [];
  }
}

/** Unix-seconds expiration as epoch ms (capped: "never" is 2^256-1 on chain). */
function expiration(row: Row): number | string {
  const s = BigInt(text(row.expiration));
  return s > 8_640_000_000_000n ? 'never' : Number(s) * 1000;
}

function grantChanged(before: Row, after: Row): boolean {
  return before.permissions !== after.permissions || before.expiration !== after.expiration || before.source !== after.source;
}

export function activityFromChanges(changes: readonly RowChange[], info: CommitInfo, ctx: ChainActivityContext): ActivityEntryInput[] {
  const at = ctx.now();
  const base = { blockNumber: info.blockNumber.toString(), ...(info.kind === 'rollback' ? { reorg: true } : {}) };
  const out: ActivityEntryInput[] = [];
  // Vehicles whose owner epoch moved in this commit: their grants were voided, not revoked.
  const transferred = new Set<string>();
  for (const c of changes) {
    if (c.table === 'identity_vehicles' && (!c.after || (c.before && c.before.version !== c.after.version))) transferred.add(text((c.before ?? c.after)!.token_id));
  }

  for (const { table, before, after } of changes) {
    switch (table) {
      case 'identity_grants': {
        const row = (after ?? before)!;
        const app = { address: text(row.grantee) };
        if (after && (!before || grantChanged(before, after))) {
          out.push({ owner: text(after.grantor), kind: 'grant', vehicleId: text(after.token_id), app, privileges: privileges(after), at,
            detail: { ...base, asset: text(after.asset), expiresAt: expiration(after), source: text(after.source) } });
        } else if (before && !after) {
          const reason = transferred.has(text(before.token_id)) ? 'vehicle transferred or burned' : 'revoked';
          out.push({ owner: text(before.grantor), kind: 'revoke', vehicleId: text(before.token_id), app, privileges: privileges(before), at,
            detail: { ...base, asset: text(before.asset), reason } });
        }
        break;
      }
      case 'identity_account_grants': {
        const row = (after ?? before)!;
        const app = { address: text(row.grantee) };
        if (after && (!before || grantChanged(before, after))) {
          out.push({ owner: text(after.grantor), kind: 'grant', app, privileges: privileges(after), at,
            detail: { ...base, scope: 'account', expiresAt: expiration(after), source: text(after.source) } });
        } else if (before && !after) {
          out.push({ owner: text(before.grantor), kind: 'revoke', app, privileges: privileges(before), at, detail: { ...base, scope: 'account', reason: 'revoked' } });
        }
        break;
      }
      case 'identity_vehicles': {
        const id = text((after ?? before)!.token_id);
        if (after && !before) {
          out.push({ owner: text(after.owner), kind: 'connect', vehicleId: id, at, detail: { ...base, event: 'vehicle minted', make: text(after.make), model: text(after.model), year: Number(after.year) } });
        } else if (before && !after) {
          out.push({ owner: text(before.owner), kind: 'disconnect', vehicleId: id, at, detail: { ...base, event: 'vehicle burned' } });
        } else if (before && after && before.owner !== after.owner) {
          out.push({ owner: text(before.owner), kind: 'disconnect', vehicleId: id, at, detail: { ...base, event: 'vehicle transferred away' } });
          out.push({ owner: text(after.owner), kind: 'connect', vehicleId: id, at, detail: { ...base, event: 'vehicle received' } });
        }
        break;
      }
      case 'identity_synthetic_devices': {
        const row = (after ?? before)!;
        if ((after && before) || row.vehicle_id === null) break;
        const owner = ctx.ownerOf(BigInt(text(row.vehicle_id)));
        if (!owner) break;
        out.push({ owner, kind: after ? 'connect' : 'disconnect', vehicleId: text(row.vehicle_id), at,
          detail: { ...base, event: after ? 'connection device minted' : 'connection device burned', device: 'synthetic', deviceId: text(row.token_id), connectionId: text(row.connection_id) } });
        break;
      }
      case 'identity_aftermarket_devices': {
        const was = before?.vehicle_id ?? null;
        const now = after?.vehicle_id ?? null;
        if (was === now) break;
        if (was !== null) {
          const owner = ctx.ownerOf(BigInt(text(was)));
          if (owner) out.push({ owner, kind: 'disconnect', vehicleId: text(was), at, detail: { ...base, event: 'device unpaired', device: 'aftermarket', deviceId: text((before ?? after)!.token_id) } });
        }
        if (now !== null) {
          const owner = ctx.ownerOf(BigInt(text(now)));
          if (owner) out.push({ owner, kind: 'connect', vehicleId: text(now), at, detail: { ...base, event: 'device paired', device: 'aftermarket', deviceId: text(after!.token_id) } });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}
