// Every license with its standing; the team suspends, reinstates, revokes, bans or raises a requirement,
// always with a reason recorded on chain; and may issue a license directly.
import { useState } from 'react';
import { parseUnits } from 'viem';
import { api } from '../../api/http.ts';
import type { License } from '../../api/types.ts';
import { dimo, ratio } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { KIND_IDS, LICENSES_ABI } from '../../chain/abis.ts';
import { sendContractTx } from '../../chain/contract-tx.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import type { Roles } from './LicensingPage.tsx';

const ACTIONS = [
  { id: 'suspend', title: 'Suspend' },
  { id: 'unsuspend', title: 'Lift suspension' },
  { id: 'revoke', title: 'Revoke' },
  { id: 'ban', title: 'Ban the holder (and every linked address)' },
  { id: 'raiseRequirement', title: 'Raise the stake requirement' },
];

export function LicensesTab({ roles }: { roles: Roles }) {
  const { signer } = useSession();
  const licenses = useAsync((signal) => api<{ licenses: License[] }>('/v1/licenses', { signal }), []);
  const [target, setTarget] = useState('');
  const [action, setAction] = useState('suspend');
  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState('');
  const [issue, setIssue] = useState({ to: '', kind: 'app', legalName: '', dba: '', website: '', supportEmail: '' });
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string>();
  const list = licenses.data?.licenses ?? [];
  const chosen = target || list[0]?.licenseId || '';

  const act = () =>
    run(async () => {
      const id = BigInt(chosen);
      const args = action === 'raiseRequirement' ? [id, parseUnits(amount || '0', 18)] : [id, reason.trim()];
      const tx = await sendContractTx(await signer(), 'Licenses', LICENSES_ABI, action, args);
      setDone(`${ACTIONS.find((a) => a.id === action)!.title}: license #${chosen} (tx ${tx.txHash.slice(0, 10)}…).`);
      setReason('');
      licenses.reload();
    });
  const issueDirect = () =>
    run(async () => {
      const tx = await sendContractTx(await signer(), 'Licenses', LICENSES_ABI, 'issue', [issue.to, KIND_IDS[issue.kind], { legalName: issue.legalName, dba: issue.dba, website: issue.website, supportEmail: issue.supportEmail }]);
      setDone(`Issued a ${issue.kind} license to ${issue.to} (tx ${tx.txHash.slice(0, 10)}…).`);
      licenses.reload();
    });

  return (
    <div>
      <ErrorBox error={licenses.error} />
      {licenses.loading && !licenses.data ? <Loading what="Loading licenses" /> : null}
      <table className="data">
        <caption className="sr-only">Licenses</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Holder</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Stake / required</th>
            <th scope="col">Trust ratio</th>
            <th scope="col">Reason on record</th>
          </tr>
        </thead>
        <tbody>
          {list.map((l) => (
            <tr key={l.licenseId}>
              <td>{l.licenseId}</td>
              <td>
                {l.legalName}
                {l.dba ? ` (${l.dba})` : ''}
              </td>
              <td>{l.kind}</td>
              <td>{l.active ? 'active' : l.status === 'active' ? 'active, understaked' : l.status}</td>
              <td>
                {dimo(l.stake)} / {dimo(l.required)}
              </td>
              <td>{ratio(l.trustRatio)}</td>
              <td>{l.statusReason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={error} />
      {roles.licensing && list.length > 0 ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void act();
          }}
        >
          <h3>Act on a license</h3>
          <div className="filter-row">
            <SelectField label="License" value={chosen} onChange={(e) => setTarget(e.target.value)}>
              {list.map((l) => (
                <option key={l.licenseId} value={l.licenseId}>
                  #{l.licenseId} {l.legalName} ({l.status})
                </option>
              ))}
            </SelectField>
            <SelectField label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
              {ACTIONS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.title}
                </option>
              ))}
            </SelectField>
          </div>
          {action === 'raiseRequirement' ? (
            <TextField label="New requirement (DIMO)" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} required />
          ) : (
            <TextField label="Reason (recorded on chain and published)" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} />
          )}
          <Button type="submit" variant={action === 'ban' || action === 'revoke' ? 'danger' : undefined} busy={busy}>
            {ACTIONS.find((a) => a.id === action)!.title}
          </Button>
        </form>
      ) : null}
      {roles.licensing ? (
        <form
          className="card"
          onSubmit={(e) => {
            e.preventDefault();
            void issueDirect();
          }}
        >
          <h3>Issue a license directly</h3>
          <div className="filter-row">
            <TextField label="Holder address" value={issue.to} onChange={(e) => setIssue({ ...issue, to: e.target.value.trim() })} required pattern="0x[0-9a-fA-F]{40}" />
            <SelectField label="Kind" value={issue.kind} onChange={(e) => setIssue({ ...issue, kind: e.target.value })}>
              <option value="app">app</option>
              <option value="client">client</option>
              <option value="node">node</option>
            </SelectField>
            <TextField label="Legal name" value={issue.legalName} onChange={(e) => setIssue({ ...issue, legalName: e.target.value })} required />
            <TextField label="Doing business as" value={issue.dba} onChange={(e) => setIssue({ ...issue, dba: e.target.value })} />
            <TextField label="Website" value={issue.website} onChange={(e) => setIssue({ ...issue, website: e.target.value })} />
            <TextField label="Support email" value={issue.supportEmail} onChange={(e) => setIssue({ ...issue, supportEmail: e.target.value })} />
          </div>
          <Button type="submit" busy={busy}>
            Issue
          </Button>
        </form>
      ) : null}
    </div>
  );
}
