// The licensing console's server side. Anyone signed in (owner token: it proves an address) may apply
// for a license and follow their applications; the licensing team (LICENSING_ROLE on chain) sees every
// application, rejects with a published reason, and records issuance after its own signed transaction.
//   POST /v1/licensing/applications                  {kind, legalName, dba?, website?, supportEmail?, note?} → 201 application
//   GET  /v1/licensing/applications?status=          → {applications} (the team: all; others: their own)
//   POST /v1/licensing/applications/:id/withdraw     (applicant)
//   POST /v1/licensing/applications/:id/reject       {reason} (team)
//   POST /v1/licensing/applications/:id/issued       {txHash, reason?} (team; the receipt must show the license issued to the applicant)
//   GET  /v1/licensing/roles/:address                → {licensing, arbiter, governance}
//   GET  /v1/licensing/tx-params/:address            → {chainId, nonce, gasPrice, contracts}
//   POST /v1/licensing/transactions                  {serializedTransaction} → {txHash, blockNumber, from, to}
//   GET  /v1/licensing/challenges?status=            → {challenges}
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeEventLog, parseAbi, type Address, type Hex } from 'viem';
import { z } from 'zod';
import { requireOwner } from '../api/auth/require-owner.ts';
import { OdmError } from '../core/errors.ts';
import { getLicensingMirror } from '../licensing/licensing-services.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { parseBody } from '../owners/parse-body.ts';
import { challengeView } from './challenge-view.ts';
import { applicationBody, decideApplication, getApplication, listApplications, submitApplication } from './license-applications.ts';
import { teamRoles } from './team-roles.ts';
import { broadcastTeamTransaction, TEAM_CONTRACTS } from './team-transactions.ts';

const LICENSE_ISSUED = parseAbi(['event LicenseIssued(uint256 indexed licenseId, address indexed holder, uint8 kind, string legalName, string dba, string website, string supportEmail)']);
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const reasonBody = z.strictObject({ reason: z.string().trim().min(3).max(1000) });
const issuedBody = z.strictObject({ txHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/), reason: z.string().trim().max(1000).optional() });
const txBody = z.strictObject({ serializedTransaction: z.string() });

function idParam(params: unknown): number {
  const raw = (params as { id?: string }).id ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw new OdmError('ODM_ERR_APPLICATION_NOT_FOUND', 'no such application');
  return Number(raw);
}

export function licensingTeamRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  const signedIn = async (request: FastifyRequest) => (await requireOwner(request, ctx.services())).address;
  const team = async (request: FastifyRequest) => {
    const address = await signedIn(request);
    if (!(await teamRoles(ctx.services(), address)).licensing) throw new OdmError('ODM_ERR_ROLE_REQUIRED', 'only the licensing team (LICENSING_ROLE) may do this');
    return address;
  };

  app.post('/v1/licensing/applications', async (request, reply) => {
    const address = await signedIn(request);
    const s = ctx.services();
    return reply.status(201).send(await submitApplication(s.store, s.clock, address, parseBody(applicationBody, request.body)));
  });

  app.get('/v1/licensing/applications', async (request) => {
    const address = await signedIn(request);
    const s = ctx.services();
    const status = (request.query as { status?: string }).status;
    const roles = await teamRoles(s, address);
    return { applications: await listApplications(s.store, { ...(roles.licensing ? {} : { applicant: address }), ...(status ? { status } : {}) }), team: roles.licensing };
  });

  app.post('/v1/licensing/applications/:id/withdraw', async (request) => {
    const address = await signedIn(request);
    const s = ctx.services();
    const id = idParam(request.params);
    if ((await getApplication(s.store, id)).applicant !== address) throw new OdmError('ODM_ERR_APPLICATION_NOT_FOUND', 'no such application of yours');
    return decideApplication(s.store, s.clock, id, { status: 'withdrawn', reason: 'withdrawn by the applicant', by: address });
  });

  app.post('/v1/licensing/applications/:id/reject', async (request) => {
    const by = await team(request);
    const s = ctx.services();
    const { reason } = parseBody(reasonBody, request.body);
    return decideApplication(s.store, s.clock, idParam(request.params), { status: 'rejected', reason, by });
  });

  app.post('/v1/licensing/applications/:id/issued', async (request) => {
    const by = await team(request);
    const s = ctx.services();
    const id = idParam(request.params);
    const { txHash, reason } = parseBody(issuedBody, request.body);
    const application = await getApplication(s.store, id);
    const receipt = await s.chain.clients.publicClient.getTransactionReceipt({ hash: txHash as Hex }).catch(() => undefined);
    const licenses = s.chain.contracts.Licenses?.toLowerCase();
    let licenseId: string | undefined;
    for (const log of receipt?.logs ?? []) {
      if (log.address.toLowerCase() !== licenses) continue;
      try {
        const e = decodeEventLog({ abi: LICENSE_ISSUED, data: log.data, topics: log.topics });
        if (e.args.holder.toLowerCase() === application.applicant) licenseId = e.args.licenseId.toString();
      } catch {
        // another Licenses event
      }
    }
    if (!licenseId) throw new OdmError('ODM_ERR_VALIDATION', `transaction ${txHash} issued no license to ${application.applicant}`);
    return decideApplication(s.store, s.clock, id, { status: 'issued', reason: reason || 'issued', by, licenseId, txHash });
  });

  app.get('/v1/licensing/roles/:address', async (request) => {
    const address = (request.params as { address: string }).address;
    if (!ADDRESS.test(address)) throw new OdmError('ODM_ERR_VALIDATION', 'address must be a 0x address');
    return teamRoles(ctx.services(), address);
  });

  app.get('/v1/licensing/tx-params/:address', async (request) => {
    const address = (request.params as { address: string }).address;
    if (!ADDRESS.test(address)) throw new OdmError('ODM_ERR_VALIDATION', 'address must be a 0x address');
    const s = ctx.services();
    const client = s.chain.clients.publicClient;
    const [nonce, gasPrice] = await Promise.all([client.getTransactionCount({ address: address as Address, blockTag: 'pending' }), client.getGasPrice()]);
    const contracts = Object.fromEntries(TEAM_CONTRACTS.map((n) => [n, s.chain.contracts[n] ?? null]));
    return { chainId: s.chain.chainId, nonce, gasPrice: gasPrice.toString(), contracts };
  });

  app.post('/v1/licensing/transactions', async (request) => {
    const { serializedTransaction } = parseBody(txBody, request.body);
    return broadcastTeamTransaction(ctx.services(), serializedTransaction);
  });

  app.get('/v1/licensing/challenges', async (request) => {
    const status = (request.query as { status?: string }).status;
    const ix = getLicensingMirror(ctx.services()).index;
    const all = [...ix.challenges.values()].filter((c) => !status || c.status === status).sort((a, b) => (a.challengeId < b.challengeId ? 1 : -1));
    return { challenges: all.map((c) => ({ ...challengeView(c), legalName: ix.license(c.licenseId)?.metadata.legalName ?? null })) };
  });
}
