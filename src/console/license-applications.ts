// License applications: a developer (or node operator) asks for a license with the names owners will see
// at opt-in; the licensing team issues it on chain (the license id and transaction are recorded) or
// rejects it with a reason. Decisions are public (GET /v1/licensing/decisions).
import { z } from 'zod';
import type { Clock } from '../core/clock.ts';
import { OdmError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import type { ApplicationView } from '../api/shapes/application.ts';

export type { ApplicationView };

const text = (max: number) => z.string().trim().max(max);
export const applicationBody = z.strictObject({
  kind: z.enum(['client', 'node', 'app']),
  legalName: text(256).min(1),
  dba: text(256).default(''),
  website: text(256).default(''),
  supportEmail: text(256).default(''),
  note: text(2000).default(''),
});

type Row = Awaited<ReturnType<typeof selectAll>>[number];
function selectAll(store: Store) {
  return store.db.selectFrom('license_applications').selectAll().orderBy('id', 'desc').execute();
}

function view(r: Row): ApplicationView {
  return {
    id: Number(r.id), applicant: r.applicant, kind: r.kind, legalName: r.legal_name, dba: r.dba, website: r.website, supportEmail: r.support_email, note: r.note,
    status: r.status, decisionReason: r.decision_reason, decidedBy: r.decided_by, licenseId: r.license_id, txHash: r.tx_hash,
    createdAt: Number(r.created_at), decidedAt: r.decided_at === null ? null : Number(r.decided_at),
  };
}

export async function submitApplication(store: Store, clock: Clock, applicant: string, body: z.infer<typeof applicationBody>): Promise<ApplicationView> {
  const pending = await store.db.selectFrom('license_applications').select('id').where('applicant', '=', applicant.toLowerCase()).where('status', '=', 'pending').execute();
  if (pending.length >= 5) throw new OdmError('ODM_ERR_APPLICATION_STATE', 'you have 5 applications waiting; withdraw one first');
  const row = await store.db.insertInto('license_applications').values({
    applicant: applicant.toLowerCase(), kind: body.kind, legal_name: body.legalName, dba: body.dba, website: body.website, support_email: body.supportEmail,
    note: body.note, status: 'pending', decision_reason: null, decided_by: null, license_id: null, tx_hash: null, created_at: clock.now(), decided_at: null,
  }).returningAll().executeTakeFirstOrThrow();
  return view(row);
}

export async function listApplications(store: Store, filter: { applicant?: string; status?: string }): Promise<ApplicationView[]> {
  let q = store.db.selectFrom('license_applications').selectAll().orderBy('id', 'desc').limit(500);
  if (filter.applicant) q = q.where('applicant', '=', filter.applicant.toLowerCase());
  if (filter.status) q = q.where('status', '=', filter.status as Row['status']);
  return (await q.execute()).map(view);
}

export async function getApplication(store: Store, id: number): Promise<ApplicationView> {
  const row = await store.db.selectFrom('license_applications').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new OdmError('ODM_ERR_APPLICATION_NOT_FOUND', `no application ${id}`);
  return view(row);
}

export async function decideApplication(
  store: Store, clock: Clock, id: number,
  decision: { status: 'issued' | 'rejected' | 'withdrawn'; reason: string | null; by: string; licenseId?: string; txHash?: string },
): Promise<ApplicationView> {
  const current = await getApplication(store, id);
  if (current.status !== 'pending') throw new OdmError('ODM_ERR_APPLICATION_STATE', `application ${id} is already ${current.status}`);
  await store.db.updateTable('license_applications').set({
    status: decision.status, decision_reason: decision.reason, decided_by: decision.by.toLowerCase(),
    license_id: decision.licenseId ?? null, tx_hash: decision.txHash ?? null, decided_at: clock.now(),
  }).where('id', '=', id).where('status', '=', 'pending').execute();
  return getApplication(store, id);
}
