// Email-and-password accounts over HTTP (the browser does every key derivation and signature):
//   POST   /v1/owner/accounts          {email, authKey, kdf, address, wallet, signature} → 201 {address}
//   POST   /v1/owner/accounts/prelogin {email}          → {kdf}            (decoys for unknown emails)
//   POST   /v1/owner/accounts/login    {email, authKey} → {address, wallet} (the sealed key; then SIWE)
//   GET    /v1/owner/account           Bearer owner token → {address, email, createdAt} | 404
// Refusals: ODM_ERR_ACCOUNT_EXISTS (409), ODM_ERR_SIGNATURE_INVALID (401), ODM_ERR_LOGIN_FAILED (401),
// ODM_ERR_LOGIN_LOCKED (429), ODM_ERR_VALIDATION (400).
import type { FastifyInstance } from 'fastify';
import { OdmError } from '../../core/errors.ts';
import { requireOwner } from '../../api/auth/require-owner.ts';
import type { CapabilityContext } from '../../node/capability.ts';
import { parseBody } from '../parse-body.ts';
import { loginBody, preloginBody, signUpBody } from './owner-accounts.ts';
import { getOwnerAccounts } from './owner-accounts-service.ts';

export function ownerAccountRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  const accounts = () => getOwnerAccounts(ctx.services());

  app.post('/v1/owner/accounts', async (request, reply) => {
    const body = parseBody(signUpBody, request.body);
    return reply.status(201).send(await accounts().signUp(body));
  });

  app.post('/v1/owner/accounts/prelogin', async (request) => {
    const { email } = parseBody(preloginBody, request.body);
    return accounts().prelogin(email);
  });

  app.post('/v1/owner/accounts/login', async (request) => {
    const { email, authKey } = parseBody(loginBody, request.body);
    return accounts().login(email, authKey);
  });

  app.get('/v1/owner/account', async (request) => {
    const { address } = await requireOwner(request, ctx.services());
    const found = await accounts().describe(address);
    if (!found) throw new OdmError('ODM_ERR_NOT_FOUND', 'this address signs in with its own wallet; it has no email account');
    return found;
  });
}
