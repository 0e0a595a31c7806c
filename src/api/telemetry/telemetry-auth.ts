// Authenticates one /query request before GraphQL runs: a current vehicle token of this node, the
// license's request budget, the vehicle still known, and the access gate re-run now for the privileges
// the owner still grants (license active with trust ratio ≥ 1, grantee acting for it, consent). What is
// granted now, not what was granted at exchange, is what the request may read.
import { getAccessCheck } from '../../consent/access-check.ts';
import { OdmError } from '../../core/errors.ts';
import { getIdentityLookup } from '../../identity/identity-lookup.ts';
import { authorizeDataAccess } from '../../licensing/licensing-services.ts';
import type { NodeServices } from '../../node/start-node.ts';
import { getAppAccess } from '../apps/app-access-runtime.ts';
import { bearerToken } from '../apps/bearer.ts';
import { verifyVehicleToken } from '../apps/vehicle-token.ts';
import type { TelemetryAuth } from './telemetry-context.ts';

export async function authenticateTelemetry(services: NodeServices, authorization: unknown): Promise<TelemetryAuth> {
  const claims = await verifyVehicleToken(services, bearerToken(authorization, 'vehicle token from POST /v1/tokens/exchange'));
  getAppAccess(services).rateLimiter.take(claims.licenseId, services.clock.now());
  const vehicle = getIdentityLookup(services).vehicle(claims.vehicleId);
  if (!vehicle) throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', `vehicle ${claims.vehicleId} is not known to this node`, { details: { tokenId: claims.vehicleId.toString() } });
  const held = new Set<number>(getAccessCheck(services).held(claims.grantee, claims.vehicleId));
  const effective = claims.privileges.filter((p) => held.has(p));
  // With nothing left, ask for everything the token names: the refusal then says what is missing.
  const decision = authorizeDataAccess(services, {
    licenseId: claims.licenseId, grantee: claims.grantee, vehicleId: claims.vehicleId, privileges: effective.length > 0 ? effective : claims.privileges,
  });
  const meta = decision.license.metadata;
  return {
    claims,
    vehicleId: claims.vehicleId,
    vault: { vehicleId: claims.vehicleId.toString(), version: vehicle.version },
    owner: vehicle.owner,
    token: new Set(claims.privileges),
    effective: new Set(effective),
    licenseName: meta.dba || meta.legalName,
    used: new Set(),
    cost: 0,
  };
}
