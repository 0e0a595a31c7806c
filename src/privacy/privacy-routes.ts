// The owner's privacy controls over HTTP, for the vehicle's owner only: signed in (Authorization: Bearer
// owner token) or, without a session, each request signed by the owner (owner-auth.ts):
//   GET    /v1/vehicles/:tokenId/privacy   → {locationOptOut, zones}
//   PUT    /v1/vehicles/:tokenId/privacy   ← {locationOptOut, zones: [{kind: 'circle', lat, lng, radiusM, action} |
//                                                                  {kind: 'polygon', points: [[lat, lng], …], action}]}
//   DELETE /v1/vehicles/:tokenId/data      → crypto-shreds everything stored for the current owner's epoch
// Settings belong to the owner epoch: after a transfer the new owner starts with none.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { IngestService } from '../ingest/ingest-service.ts';
import { verifyOwnerRequest } from './owner-auth.ts';
import { validateSettings } from './privacy-settings.ts';

export interface PrivacyRoutesOptions {
  service: () => IngestService;
  clock: () => Clock;
  /** The signed-in owner's address from an `Authorization: Bearer` owner token, when sign-in runs. */
  ownerFromBearer?: (request: FastifyRequest) => Promise<string>;
}

function tokenIdOf(params: unknown): bigint {
  const raw = (params as { tokenId?: string }).tokenId ?? '';
  if (!/^(0|[1-9][0-9]{0,77})$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'tokenId must be a decimal token id');
  return BigInt(raw);
}

export async function registerPrivacyRoutes(app: FastifyInstance, o: PrivacyRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    // The owner signs the exact body bytes, so keep them beside the parsed JSON.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => {
      try {
        done(null, { raw: body, json: body.length === 0 ? undefined : JSON.parse(body.toString('utf8')) });
      } catch {
        done(new OdmError('ODM_ERR_VALIDATION', 'the body is not valid JSON'), undefined);
      }
    });

    const authorize = async (request: FastifyRequest) => {
      const svc = o.service();
      const tokenId = tokenIdOf(request.params);
      const vehicle = svc.identity.vehicle(tokenId);
      if (!vehicle) throw new OdmError('ODM_ERR_NOT_FOUND', `vehicle ${tokenId} is not known on chain`);
      if (request.headers.authorization !== undefined && o.ownerFromBearer) {
        const address = await o.ownerFromBearer(request);
        if (address.toLowerCase() !== vehicle.owner.toLowerCase()) throw new OdmError('ODM_ERR_NOT_OWNER', "the signed-in account is not the vehicle's owner");
      } else {
        const body = (request.body as { raw?: Buffer } | undefined)?.raw ?? Buffer.alloc(0);
        await verifyOwnerRequest({ method: request.method, path: request.url.split('?')[0]!, headers: request.headers, body }, vehicle.owner, o.clock().now());
      }
      return { svc, vehicleId: String(tokenId), version: vehicle.version, owner: vehicle.owner };
    };

    scope.get('/v1/vehicles/:tokenId/privacy', async (request) => {
      const { svc, vehicleId, version } = await authorize(request);
      return svc.privacy.get(vehicleId, version);
    });

    scope.put('/v1/vehicles/:tokenId/privacy', async (request) => {
      const { svc, vehicleId, version, owner } = await authorize(request);
      const settings = validateSettings((request.body as { json?: unknown } | undefined)?.json);
      await svc.privacy.set(vehicleId, version, owner, settings);
      return settings;
    });

    scope.delete('/v1/vehicles/:tokenId/data', async (request) => {
      const { svc, vehicleId, version } = await authorize(request);
      const report = await svc.vault.shredder.shredVehicle(vehicleId, [version]);
      return { deleted: true, keys: report.keys, rows: report.rows };
    });
  });
}
