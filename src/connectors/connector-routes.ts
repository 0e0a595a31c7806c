// The connectors' HTTP API.
//
// Owner routes (Authorization: Bearer <owner token from POST /v1/owner/auth/verify>):
//   POST   /v1/connections/{tesla|smartcar}/authorize                  → {authorizeUrl, state, expiresAt}
//   GET    /v1/connections/{oem}/callback?code&state                   → {accountId, oem, vehicles:[{connectionId, …, signing?}]}
//   GET    /v1/connections/{oem}/vehicles/{oemVehicleId}/signing        → fresh {vehicle?, syntheticDevice} payloads
//   POST   /v1/connections/{oem}/vehicles/{oemVehicleId}/activate      {vehicle?:{message,signature}, syntheticDevice:{message,signature}}
//   GET    /v1/connections                                              → {connections:[…]}
//   POST   /v1/connections/{id}/pause · /resume                         → the connection
//   DELETE /v1/connections/{id}                                         → {id, state, oemRevoked, burnTxHash, tokensShredded}
// App route (EIP-191 signed request, see commands/app-request-auth.ts):
//   POST   /v1/vehicles/{tokenId}/commands/{lock|unlock}               → {vehicleId, command, result, oem}
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OdmError, isOdmError } from '../core/errors.ts';
import { requireOwner } from '../api/auth/require-owner.ts';
import type { NodeServices } from '../node/start-node.ts';
import { verifyAppRequest } from './commands/app-request-auth.ts';
import { COMMANDS, VehicleCommands, type CommandName } from './commands/vehicle-commands.ts';
import { getConnectors } from './connectors-context.ts';
import { OwnerControl } from './control/owner-control.ts';
import { activateBody, Onboarding } from './onboarding/onboarding.ts';
import { OEMS, type Oem } from './store/connector-store.ts';
import type { CommandOptions } from './commands/vehicle-commands.ts';

function oemOf(params: unknown): Oem {
  const id = (params as { id?: string }).id ?? '';
  if (!(OEMS as readonly string[]).includes(id)) throw new OdmError('ODM_ERR_NOT_FOUND', `unknown OEM ${id.slice(0, 40)}; use ${OEMS.join(' or ')}`);
  return id as Oem;
}

function parseActivate(body: unknown) {
  const parsed = activateBody.safeParse(body);
  if (!parsed.success) {
    throw new OdmError('ODM_ERR_VALIDATION', 'the body must carry the signed payloads: {vehicle?: {message, signature}, syntheticDevice: {message, signature}}', {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

export async function registerConnectorRoutes(app: FastifyInstance, services: () => NodeServices, options: { commands?: CommandOptions } = {}): Promise<void> {
  const ctx = () => getConnectors(services());
  const owner = async (request: FastifyRequest) => (await requireOwner(request, services())).address.toLowerCase();

  app.post('/v1/connections/:id/authorize', async (request) => {
    const me = await owner(request);
    return new Onboarding(ctx()).authorize(me, oemOf(request.params));
  });

  app.get('/v1/connections/:id/callback', async (request) => {
    const me = await owner(request);
    const q = request.query as { code?: string; state?: string; error?: string; error_description?: string };
    return new Onboarding(ctx()).callback(me, oemOf(request.params), q);
  });

  app.get('/v1/connections/:id/vehicles/:oemVehicleId/signing', async (request) => {
    const me = await owner(request);
    return new Onboarding(ctx()).signing(me, oemOf(request.params), (request.params as { oemVehicleId: string }).oemVehicleId);
  });

  app.post('/v1/connections/:id/vehicles/:oemVehicleId/activate', async (request, reply) => {
    const me = await owner(request);
    const body = parseActivate(request.body);
    const result = await new Onboarding(ctx()).activate(me, oemOf(request.params), (request.params as { oemVehicleId: string }).oemVehicleId, body);
    return reply.status(201).send(result);
  });

  app.get('/v1/connections', async (request) => {
    const me = await owner(request);
    return { connections: await new OwnerControl(ctx()).list(me) };
  });

  app.post('/v1/connections/:id/pause', async (request) => {
    const me = await owner(request);
    return new OwnerControl(ctx()).pause(me, (request.params as { id: string }).id);
  });

  app.post('/v1/connections/:id/resume', async (request) => {
    const me = await owner(request);
    return new OwnerControl(ctx()).resume(me, (request.params as { id: string }).id);
  });

  app.delete('/v1/connections/:id', async (request) => {
    const me = await owner(request);
    return new OwnerControl(ctx()).disconnect(me, (request.params as { id: string }).id);
  });

  await app.register(async (scope) => {
    // The app signs the exact body bytes: keep them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));
    scope.post('/v1/vehicles/:tokenId/commands/:command', async (request, reply) => {
      const p = request.params as { tokenId: string; command: string };
      if (!/^(0|[1-9][0-9]{0,77})$/.test(p.tokenId)) throw new OdmError('ODM_ERR_VALIDATION', 'tokenId must be a decimal token id');
      if (!(COMMANDS as readonly string[]).includes(p.command)) throw new OdmError('ODM_ERR_NOT_FOUND', `unknown command ${p.command.slice(0, 40)}; use ${COMMANDS.join(' or ')}`);
      const s = services();
      const c = ctx();
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const grantee = await verifyAppRequest({ method: request.method, path: request.url.split('?')[0]!, headers: request.headers, body }, s.clock.now());
      try {
        return await new VehicleCommands(c, options.commands).execute(grantee, BigInt(p.tokenId), p.command as CommandName);
      } catch (err) {
        if (isOdmError(err) && err.code === 'ODM_ERR_OEM_RATE_LIMITED') {
          const retryAfterS = Math.max(1, Math.ceil((Number(err.details.until ?? 0) - s.clock.now()) / 1000));
          void reply.header('retry-after', String(retryAfterS));
          throw new OdmError('ODM_ERR_OEM_RATE_LIMITED', err.message, { details: { retryAfterS } });
        }
        if (isOdmError(err) && err.code === 'ODM_ERR_VEHICLE_ASLEEP') void reply.header('retry-after', String(err.details.retryAfterS ?? 15));
        throw err;
      }
    });
  });
}
