// /v1/webhooks, as DIMO's vehicle-triggers-api serves it, for developers (Authorization: Bearer
// <developer JWT>); every webhook belongs to the license of the token that created it.
//   POST   /v1/webhooks                                    create (verifies the target) → {id, message, signingSecret}
//   GET    /v1/webhooks                                    list
//   GET    /v1/webhooks/signals                            signals a webhook can watch
//   GET    /v1/webhooks/vehicles/{asset}                   this license's webhooks on a vehicle
//   GET    /v1/webhooks/{id}                               asset DIDs subscribed (DIMO's shape)
//   PUT    /v1/webhooks/{id}                               update
//   DELETE /v1/webhooks/{id}                               delete
//   POST   /v1/webhooks/{id}/secret                        rotate the signing secret → {id, signingSecret}
//   GET    /v1/webhooks/{id}/subscriptions                 [{tokenId, assetDid, createdAt}]
//   POST   /v1/webhooks/{id}/subscribe/{asset}             subscribe a vehicle (token id or DID); needs the metric's privilege
//   POST   /v1/webhooks/{id}/subscribe/list  {assetDIDs}   · POST …/subscribe/all (every vehicle shared with the app)
//   DELETE /v1/webhooks/{id}/subscribe/{asset}             (also DIMO's DELETE …/unsubscribe/{asset}, …/unsubscribe/list, …/unsubscribe/all)
//   GET    /v1/webhooks/{id}/deliveries?limit&cursor&status  the delivery log, newest first
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OdmError } from '../core/errors.ts';
import { authRequired, bearerToken, type DeveloperClaims } from '../live/app-auth.ts';
import type { WebhookService } from './webhook-service.ts';

export interface WebhookRouteDeps {
  service(): WebhookService;
  developer(token: string): Promise<DeveloperClaims>;
}

type Params = { id: string; asset: string };

function assetList(body: unknown): string[] {
  const list = (body as { assetDIDs?: unknown } | undefined)?.assetDIDs;
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw new OdmError('ODM_ERR_VALIDATION', 'send {"assetDIDs": [...]} (asset DIDs or token ids)', { status: 400 });
  }
  return list.map(String);
}

export function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const dev = async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw authRequired('/v1/webhooks');
    return deps.developer(token);
  };
  const svc = () => deps.service();

  app.post('/v1/webhooks', async (request, reply) => reply.code(201).send(await svc().create(await dev(request), request.body)));
  app.get('/v1/webhooks', async (request) => svc().list(await dev(request)));
  app.get('/v1/webhooks/signals', async (request) => {
    await dev(request);
    return svc().signals();
  });
  app.get<{ Params: Params }>('/v1/webhooks/vehicles/:asset', async (request) => svc().subscriptionsOfVehicle(await dev(request), request.params.asset));
  app.get<{ Params: Params }>('/v1/webhooks/:id', async (request) => svc().vehiclesOf(await dev(request), request.params.id).map((v) => v.assetDid));
  app.put<{ Params: Params }>('/v1/webhooks/:id', async (request) => svc().update(await dev(request), request.params.id, request.body));
  app.delete<{ Params: Params }>('/v1/webhooks/:id', async (request) => svc().remove(await dev(request), request.params.id));
  app.post<{ Params: Params }>('/v1/webhooks/:id/secret', async (request) => svc().rotateSecret(await dev(request), request.params.id));
  app.get<{ Params: Params }>('/v1/webhooks/:id/subscriptions', async (request) => svc().vehiclesOf(await dev(request), request.params.id));
  app.get<{ Params: Params; Querystring: Record<string, unknown> }>('/v1/webhooks/:id/deliveries', async (request) => svc().deliveries(await dev(request), request.params.id, request.query));

  app.post<{ Params: Params }>('/v1/webhooks/:id/subscribe/list', async (request, reply) => reply.code(201).send(await svc().subscribeMany(await dev(request), request.params.id, assetList(request.body))));
  app.post<{ Params: Params }>('/v1/webhooks/:id/subscribe/all', async (request, reply) => reply.code(201).send(await svc().subscribeMany(await dev(request), request.params.id, 'all')));
  app.post<{ Params: Params }>('/v1/webhooks/:id/subscribe/:asset', async (request, reply) => reply.code(201).send(await svc().subscribe(await dev(request), request.params.id, request.params.asset)));

  const unsubscribeOne = async (request: FastifyRequest<{ Params: Params }>) => svc().unsubscribe(await dev(request), request.params.id, [request.params.asset]);
  app.delete<{ Params: Params }>('/v1/webhooks/:id/unsubscribe/list', async (request) => svc().unsubscribe(await dev(request), request.params.id, assetList(request.body)));
  app.delete<{ Params: Params }>('/v1/webhooks/:id/unsubscribe/all', async (request) => svc().unsubscribe(await dev(request), request.params.id, 'all'));
  app.delete<{ Params: Params }>('/v1/webhooks/:id/unsubscribe/:asset', unsubscribeOne);
  app.delete<{ Params: Params }>('/v1/webhooks/:id/subscribe/:asset', unsubscribeOne);
}
