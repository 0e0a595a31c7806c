// Applications waiting for the team: issue the license on chain (then record it against the
// application) or reject with a published reason.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { Application } from '../../api/types.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { KIND_IDS, LICENSES_ABI } from '../../chain/abis.ts';
import { sendContractTx } from '../../chain/contract-tx.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import type { Roles } from './LicensingPage.tsx';

function ApplicationRow({ a, roles, onDone }: { a: Application; roles: Roles; onDone(msg: string): void }) {
  const { signer } = useSession();
  const [reason, setReason] = useState('');
  const [run, busy, error] = useAction();
  const issue = () =>
    run(async () => {
      const tx = await sendContractTx(await signer(), 'Licenses', LICENSES_ABI, 'issue', [a.applicant, KIND_IDS[a.kind], { legalName: a.legalName, dba: a.dba, website: a.website, supportEmail: a.supportEmail }]);
      const done = await api<Application>(`/v1/licensing/applications/${a.id}/issued`, { body: { txHash: tx.txHash, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
      onDone(`Issued license #${done.licenseId} to ${a.legalName}.`);
    });
  const reject = () =>
    run(async () => {
      await api(`/v1/licensing/applications/${a.id}/reject`, { body: { reason: reason.trim() } });
      onDone(`Rejected ${a.legalName}'s application.`);
    });
  return (
    <li className="card">
      <h3>
        {a.legalName} {a.dba ? <span className="muted">({a.dba})</span> : null}
      </h3>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{a.kind}</dd>
        <dt>Applicant</dt>
        <dd>
          <code>{a.applicant}</code>
        </dd>
        {a.website ? (
          <>
            <dt>Website</dt>
            <dd>{a.website}</dd>
          </>
        ) : null}
        {a.supportEmail ? (
          <>
            <dt>Support</dt>
            <dd>{a.supportEmail}</dd>
          </>
        ) : null}
        {a.note ? (
          <>
            <dt>Intended use</dt>
            <dd>{a.note}</dd>
          </>
        ) : null}
        <dt>Received</dt>
        <dd>{dateTime(a.createdAt)}</dd>
      </dl>
      {roles.licensing ? (
        <>
          <TextField label="Reason (published; required to reject)" value={reason} onChange={(e) => setReason(e.target.value)} />
          <ErrorBox error={error} />
          <div className="actions">
            <Button type="button" busy={busy} onClick={() => void issue()}>
              Issue license
            </Button>
            <Button type="button" variant="danger" disabled={reason.trim().length < 3} busy={busy} onClick={() => void reject()}>
              Reject
            </Button>
          </div>
        </>
      ) : null}
    </li>
  );
}

export function ApplicationsTab({ roles }: { roles: Roles }) {
  const apps = useAsync((signal) => api<{ applications: Application[]; team: boolean }>('/v1/licensing/applications?status=pending', { signal }), [roles.licensing]);
  const [done, setDone] = useState<string>();
  return (
    <div>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={apps.error} />
      {apps.loading && !apps.data ? <Loading what="Loading applications" /> : null}
      {apps.data && apps.data.applications.length === 0 ? <p className="muted">No application is waiting{apps.data.team ? '' : ' (you see only your own)'}.</p> : null}
      <ul className="cards">
        {apps.data?.applications.map((a) => (
          <ApplicationRow
            key={a.id}
            a={a}
            roles={roles}
            onDone={(m) => {
              setDone(m);
              apps.reload();
            }}
          />
        ))}
      </ul>
    </div>
  );
}
