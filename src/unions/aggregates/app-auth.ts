// Who is asking for an aggregate, and may they: an app license that passes the license gate (active,
// staked, not banned). Two ways to prove it:
//   - a developer JWT (Authorization: Bearer, from POST /auth/web3/submit_challenge), when the node runs
//     app access (src/api/apps); its client id must act for the license;
//   - an EIP-191 signed request from the license holder or a linked address, as for commands
//     (x-opendimo-app-signature / x-opendimo-app-timestamp over `GET <path with query>`, empty body).
import type { FastifyRequest } from 'fastify';
import { verifyAppRequest } from '../../connectors/commands/app-request-auth.ts';
import { OdmError } from '../../core/errors.ts';
import { getLicenseGate, getLicensingMirror } from '../../licensing/licensing-services.ts';
import type { LicenseRecord } from '../../licensing/license-types.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { AppIdentity } from './aggregate-service.ts';

const nameOf = (l: LicenseRecord) => l.metadata.dba || l.metadata.legalName;

export async function authenticateApp(request: FastifyRequest, services: NodeServices): Promise<AppIdentity> {
  const gate = getLicenseGate(services);
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+\S+/i.test(auth)) {
    let verify: typeof import('../../api/apps/developer-token.ts').verifyDeveloperToken;
    try {
      // Loaded on use: app access is another capability, and this route must not fail to load without it.
      ({ verifyDeveloperToken: verify } = await import('../../api/apps/developer-token.ts'));
    } catch (cause) {
      throw new OdmError('ODM_ERR_APP_AUTH', 'developer tokens are not available on this node; sign the request instead', { cause });
    }
    const claims = await verify(services, auth.replace(/^Bearer\s+/i, '').trim());
    const active = gate.assertLicenseActive(claims.licenseId, { kinds: ['app'] });
    const index = getLicensingMirror(services).index;
    if (index.controllerOf(claims.clientId) !== index.controllerOf(active.license.holder)) {
      throw new OdmError('ODM_ERR_LICENSE_GRANTEE_MISMATCH', `${claims.clientId} does not act for license ${claims.licenseId}`, { status: 403 });
    }
    return { licenseId: active.license.licenseId.toString(), address: claims.clientId, name: nameOf(active.license) };
  }
  const address = await verifyAppRequest({ method: request.method, path: request.url, headers: request.headers, body: '' }, services.clock.now());
  const active = gate.assertLicenseActive(address, { kinds: ['app'] });
  return { licenseId: active.license.licenseId.toString(), address, name: nameOf(active.license) };
}
