// The glovebox over HTTP.
// Owner (Bearer owner token):
//   GET    /v1/owner/vehicles/:tokenId/documents                    → {documents: [info]}
//   POST   /v1/owner/vehicles/:tokenId/documents?kind=&name=        body: the file's bytes, Content-Type: its media type → 201 info
//   GET    /v1/owner/vehicles/:tokenId/documents/:docId             → the file
//   DELETE /v1/owner/vehicles/:tokenId/documents/:docId             → {deleted: true}
// App (a vehicle JWT from POST /v1/tokens/exchange holding privilege 5, or a request signed by the grantee
// with the headers of src/connectors/commands/app-request-auth.ts; either way the access gate re-checks the
// license and the owner's grant of privilege 5 on every read, and every read goes to the owner's log):
//   GET    /v1/vehicles/:tokenId/documents                          → {documents: [info]}
//   GET    /v1/vehicles/:tokenId/documents/:docId                   → the file
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getActivityLog } from '../activity/activity-log.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import { requestBearer } from '../api/apps/bearer.ts';
import { verifyVehicleToken } from '../api/apps/vehicle-token.ts';
import { verifyAppRequest } from '../connectors/commands/app-request-auth.ts';
import { OdmError } from '../core/errors.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import { authorizeDataAccess } from '../licensing/licensing-services.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { ownedVehicle } from '../owners/data/owned-vehicle.ts';
import { tokenIdParam } from '../owners/parse-body.ts';
import { DOCUMENT_KINDS, MAX_DOCUMENT_BYTES, type DocumentKind } from './glovebox.ts';
import { getGlovebox } from './glovebox-service.ts';

/** Privilege an app needs to read the glovebox. */
export const GLOVEBOX_PRIVILEGE = 5;

const docIdOf = (params: unknown): string => {
  const id = (params as { docId?: string }).docId ?? '';
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new OdmError('ODM_ERR_DOCUMENT_NOT_FOUND', 'no such document');
  return id;
};

function safeName(name: string): string {
  return name.replace(/[^\w. ()-]+/g, '_').slice(0, 120) || 'document';
}

export async function gloveboxRoutes(app: FastifyInstance, ctx: CapabilityContext): Promise<void> {
  const owned = async (request: FastifyRequest) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const tokenId = tokenIdParam(request.params);
    const vehicle = ownedVehicle(services, address, tokenId);
    return { services, address, vehicleId: String(tokenId), version: vehicle.version };
  };

  app.get('/v1/owner/vehicles/:tokenId/documents', async (request) => {
    const { services, vehicleId, version } = await owned(request);
    return { documents: await getGlovebox(services).list(vehicleId, version) };
  });

  app.get('/v1/owner/vehicles/:tokenId/documents/:docId', async (request, reply) => {
    const { services, vehicleId, version } = await owned(request);
    const { info, content } = await getGlovebox(services).read(vehicleId, version, docIdOf(request.params));
    void reply.type(info.mediaType).header('content-disposition', `attachment; filename="${safeName(info.name)}"`).header('cache-control', 'no-store');
    return reply.send(content);
  });

  app.delete('/v1/owner/vehicles/:tokenId/documents/:docId', async (request) => {
    const { services, vehicleId, version } = await owned(request);
    if (!(await getGlovebox(services).remove(vehicleId, version, docIdOf(request.params)))) throw new OdmError('ODM_ERR_DOCUMENT_NOT_FOUND', 'no such document');
    return { deleted: true };
  });

  await app.register(async (scope) => {
    // Files arrive as their own bytes, whatever their media type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES + 1 }, (_req, body, done) => done(null, body));
    scope.post('/v1/owner/vehicles/:tokenId/documents', async (request, reply) => {
      const { services, address, vehicleId, version } = await owned(request);
      const q = request.query as { kind?: string; name?: string };
      const kind = (q.kind ?? 'other') as DocumentKind;
      if (!DOCUMENT_KINDS.includes(kind)) throw new OdmError('ODM_ERR_VALIDATION', `kind must be one of ${DOCUMENT_KINDS.join(', ')}`);
      const name = (q.name ?? '').trim();
      if (name.length === 0 || name.length > 200) throw new OdmError('ODM_ERR_VALIDATION', 'name must be 1 to 200 characters');
      const mediaType = String(request.headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().slice(0, 100) || 'application/octet-stream';
      const content = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const info = await getGlovebox(services).add(address, vehicleId, version, { kind, name, mediaType, content });
      return reply.status(201).send(info);
    });

    // App reads: the signature proves the grantee; the gate checks license and consent.
    const appRead = async (request: FastifyRequest) => {
      const services = ctx.services();
      const tokenId = tokenIdParam(request.params);
      let grantee: string;
      let licenseId: bigint | undefined;
      if (request.headers.authorization !== undefined) {
        const claims = await verifyVehicleToken(services, requestBearer(request, 'vehicle token from POST /v1/tokens/exchange'));
        if (claims.vehicleId !== tokenId) throw new OdmError('ODM_ERR_TOKEN_INVALID', `this vehicle token is for vehicle ${claims.vehicleId}, not ${tokenId}`, { details: { reason: 'invalid' } });
        if (!claims.privileges.includes(GLOVEBOX_PRIVILEGE)) {
          throw new OdmError('ODM_ERR_PRIVILEGE_NOT_IN_TOKEN', `the glovebox needs privilege ${GLOVEBOX_PRIVILEGE} (VIN credential) in the vehicle token`, { status: 403, details: { missing: [GLOVEBOX_PRIVILEGE] } });
        }
        grantee = claims.grantee;
        licenseId = BigInt(claims.licenseId);
      } else {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        grantee = await verifyAppRequest({ method: request.method, path: request.url.split('?')[0]!, headers: request.headers, body }, services.clock.now());
        const license = request.headers['x-opendimo-license'];
        if (typeof license === 'string' && /^\d{1,78}$/.test(license)) licenseId = BigInt(license);
      }
      const decision = authorizeDataAccess(services, {
        grantee, vehicleId: tokenId, privileges: [GLOVEBOX_PRIVILEGE], kinds: ['app', 'client'], ...(licenseId !== undefined ? { licenseId } : {}),
      });
      const vehicle = getIdentityRuntime(services).mirror.index.vehicles.get(tokenId)!;
      return { services, decision, vehicleId: String(tokenId), version: vehicle.version, owner: vehicle.owner };
    };
    const record = async (a: Awaited<ReturnType<typeof appRead>>, detail: Record<string, unknown>) => {
      await getActivityLog(a.services).append({
        owner: a.owner, kind: 'read', vehicleId: a.vehicleId, privileges: [GLOVEBOX_PRIVILEGE],
        app: { licenseId: a.decision.license.licenseId.toString(), address: a.decision.grantee, name: a.decision.license.metadata.dba || a.decision.license.metadata.legalName },
        detail: { what: 'glovebox', ...detail },
      });
    };
    scope.get('/v1/vehicles/:tokenId/documents', async (request) => {
      const a = await appRead(request);
      const documents = await getGlovebox(a.services).list(a.vehicleId, a.version);
      await record(a, { documents: documents.length });
      return { documents };
    });
    scope.get('/v1/vehicles/:tokenId/documents/:docId', async (request, reply) => {
      const a = await appRead(request);
      const { info, content } = await getGlovebox(a.services).read(a.vehicleId, a.version, docIdOf(request.params));
      await record(a, { document: info.id, kind: info.kind });
      void reply.type(info.mediaType).header('content-disposition', `attachment; filename="${safeName(info.name)}"`).header('cache-control', 'no-store');
      return reply.send(content);
    });
  });
}
