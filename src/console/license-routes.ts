// Public reads of the licensing mirror for the dashboard (what owners see at opt-in, developers about
// their license, anyone about decisions):
//   GET /v1/licenses/:licenseId                 → {license, challenges, linked}
//   GET /v1/licenses?holder=0x…&kind=&status=   → {licenses}   (holder: every license of its identity)
//   GET /v1/licenses/grantee/:address           → {license} | 404: the license a grantee address acts for
//   GET /v1/licenses/:licenseId/keys            → {deployed, signers: [{address, expiresAt, active}], redirectUris}
//   GET /v1/licensing/decisions                 → {applications}: license applications decided, with reasons
// (Decisions made on chain, with their reasons, month by month: GET /v1/metrics/licensing, src/licensing/metrics.)
import type { FastifyInstance } from 'fastify';
import { OdmError } from '../core/errors.ts';
import { LICENSE_KINDS, LICENSE_STATUSES } from '../licensing/license-types.ts';
import { getLicensingMirror } from '../licensing/licensing-services.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { challengeView } from './challenge-view.ts';
import { licenseOfGrantee, licenseView } from './license-view.ts';
import { listApplications } from './license-applications.ts';
import { licenseKeys } from './license-keys.ts';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function licenseRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  const index = () => getLicensingMirror(ctx.services()).index;

  app.get('/v1/licenses/:licenseId', async (request) => {
    const raw = (request.params as { licenseId: string }).licenseId;
    if (!/^\d{1,78}$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'licenseId must be a decimal id');
    const ix = index();
    const l = ix.license(BigInt(raw));
    if (!l) throw new OdmError('ODM_ERR_LICENSE_NOT_FOUND', `no license ${raw}`);
    return { license: licenseView(ix, l), challenges: ix.challengesOf(l.licenseId).map(challengeView), linked: ix.linkedAccounts(ix.controllerOf(l.holder)) };
  });

  app.get('/v1/licenses/:licenseId/keys', async (request) => {
    const raw = (request.params as { licenseId: string }).licenseId;
    if (!/^\d{1,78}$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'licenseId must be a decimal id');
    if (!index().license(BigInt(raw))) throw new OdmError('ODM_ERR_LICENSE_NOT_FOUND', `no license ${raw}`);
    return licenseKeys(ctx.services(), BigInt(raw));
  });

  app.get('/v1/licenses', async (request) => {
    const q = request.query as { holder?: string; kind?: string; status?: string };
    const ix = index();
    if (q.holder !== undefined && !ADDRESS.test(q.holder)) throw new OdmError('ODM_ERR_VALIDATION', 'holder must be a 0x address');
    if (q.kind !== undefined && !(LICENSE_KINDS as readonly string[]).includes(q.kind)) throw new OdmError('ODM_ERR_VALIDATION', `kind must be one of ${LICENSE_KINDS.join(', ')}`);
    if (q.status !== undefined && !(LICENSE_STATUSES as readonly string[]).includes(q.status)) throw new OdmError('ODM_ERR_VALIDATION', `status must be one of ${LICENSE_STATUSES.join(', ')}`);
    const all = q.holder ? ix.licensesOf(q.holder) : [...ix.licenses.values()].sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
    return { licenses: all.filter((l) => (!q.kind || l.kind === q.kind) && (!q.status || l.status === q.status)).map((l) => licenseView(ix, l)) };
  });

  app.get('/v1/licenses/grantee/:address', async (request) => {
    const address = (request.params as { address: string }).address;
    if (!ADDRESS.test(address)) throw new OdmError('ODM_ERR_VALIDATION', 'address must be a 0x address');
    const ix = index();
    const l = licenseOfGrantee(ix, address);
    if (!l) throw new OdmError('ODM_ERR_LICENSE_NOT_FOUND', `${address} holds no license and is linked to none`);
    return { license: licenseView(ix, l) };
  });

  app.get('/v1/licensing/decisions', async () => {
    const applications = (await listApplications(ctx.services().store, {})).filter((a) => a.status !== 'pending');
    return { applications };
  });
}
