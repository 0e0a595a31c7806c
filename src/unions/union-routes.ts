// Owners choose, per vehicle, which data unions it joins (owner token: Authorization: Bearer):
//   GET /v1/unions                         → {unions: the catalogue with its datasets, k, rewardBonusPoints; vehicles: [{tokenId, unions}]}
//   GET /v1/vehicles/:tokenId/unions       → {tokenId, unions}
//   PUT /v1/vehicles/:tokenId/unions       ← {unions: ["battery-health", …]} → {tokenId, unions, joined, left}
// Leaving takes effect for every release computed afterwards. Changes are recorded in the owner's
// activity log (kind `privacy`, detail.unions).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getActivityLog } from '../activity/activity-log.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import { OdmError } from '../core/errors.ts';
import { getIdentityLookup } from '../identity/identity-lookup.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { UNION_BONUS_POINTS } from '../rewards/reward-rules.ts';
import { UNIONS } from './union-catalog.ts';
import { validateUnionIds } from './union-memberships.ts';
import { getUnionsRuntime } from './unions-runtime.ts';

function tokenIdOf(request: FastifyRequest): bigint {
  const raw = (request.params as { tokenId?: string }).tokenId ?? '';
  if (!/^(0|[1-9][0-9]{0,77})$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'tokenId must be a decimal token id');
  return BigInt(raw);
}

export function unionRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  /** The signed-in owner's vehicle, at its current owner epoch. */
  const ownVehicle = async (request: FastifyRequest) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const tokenId = tokenIdOf(request);
    const vehicle = getIdentityLookup(services).vehicle(tokenId);
    if (!vehicle) throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', `vehicle ${tokenId} is not known on chain`, { details: { tokenId: String(tokenId) } });
    if (vehicle.owner !== address) throw new OdmError('ODM_ERR_NOT_OWNER', `vehicle ${tokenId} belongs to another owner`, { details: { tokenId: String(tokenId) } });
    return { services, address, vehicleId: String(tokenId), version: vehicle.version };
  };

  app.get('/v1/unions', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const rt = getUnionsRuntime(services);
    const index = getIdentityRuntime(services).mirror.index;
    const vehicles = [];
    for (const id of index.vehicleIds(address)) {
      const v = index.vehicles.get(id)!;
      vehicles.push({ tokenId: String(id), unions: await rt.memberships.of(String(id), v.version) });
    }
    return {
      unions: UNIONS.map((u) => ({ ...u, rewardBonusPoints: UNION_BONUS_POINTS })),
      k: rt.aggregates.settings.k,
      h3Resolution: rt.aggregates.settings.h3Resolution,
      vehicles,
    };
  });

  app.get('/v1/vehicles/:tokenId/unions', async (request) => {
    const { services, vehicleId, version } = await ownVehicle(request);
    return { tokenId: vehicleId, unions: await getUnionsRuntime(services).memberships.of(vehicleId, version) };
  });

  app.put('/v1/vehicles/:tokenId/unions', async (request) => {
    const { services, address, vehicleId, version } = await ownVehicle(request);
    const wanted = validateUnionIds(request.body);
    const result = await getUnionsRuntime(services).memberships.set(vehicleId, version, address, wanted);
    if (result.joined.length > 0 || result.left.length > 0) {
      await getActivityLog(services).append({ owner: address, kind: 'privacy', vehicleId, detail: { unions: result.unions, joined: result.joined, left: result.left } });
    }
    return { tokenId: vehicleId, ...result };
  });
}
