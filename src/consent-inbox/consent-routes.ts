// The consent inbox's server side:
//   POST /v1/consent/documents        Bearer owner token, {document} → 201 {hash}   (signed SACD document, kept by hash)
//   GET  /v1/consent/documents/:hash  → the document (public: its hash is on chain as the grant's source)
//   GET  /v1/owner/grants             Bearer owner token → {grants}: every live or expired grant on the
//        owner's vehicles (current owner epoch), with the grantee's license and the document agreed to
import type { FastifyInstance } from 'fastify';
import { requireOwner } from '../api/auth/require-owner.ts';
import { OdmError } from '../core/errors.ts';
import { getIdentityRuntime } from '../identity/identity-runtime.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { parseBody } from '../owners/parse-body.ts';
import { documentBody } from './consent-documents.ts';
import { getConsentDocuments, ownerGrants } from './owner-grants.ts';

export function consentRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  app.post('/v1/consent/documents', async (request, reply) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    const { document } = parseBody(documentBody, request.body);
    const index = getIdentityRuntime(services).mirror.index;
    const vehicleContract = services.chain.contracts.VehicleId?.toLowerCase();
    const saved = await getConsentDocuments(services).keep(address, document, (contract, tokenId) => contract.toLowerCase() === vehicleContract && index.vehicles.get(tokenId)?.owner === address);
    return reply.status(201).send(saved);
  });

  app.get('/v1/consent/documents/:hash', async (request) => {
    const hash = (request.params as { hash: string }).hash;
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new OdmError('ODM_ERR_VALIDATION', 'hash must be 0x and 32 bytes of hex');
    const doc = await getConsentDocuments(ctx.services()).get(hash);
    if (!doc) throw new OdmError('ODM_ERR_NOT_FOUND', 'no consent document with this hash on this node');
    return doc;
  });

  app.get('/v1/owner/grants', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    return { grants: await ownerGrants(services, address) };
  });
}
