// What the licensing team decided and why, as published: status changes with their reasons, bans, and
// applications issued or rejected.
import { api } from '../../api/http.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { ErrorBox, Loading } from '../../components/Notice.tsx';
import type { Application } from '../../api/types.ts';

interface Decisions {
  licenses: Array<{ licenseId: string; legalName: string; kind: string; status: string; reason: string; by: string | null; endedAt: number | null }>;
  bans: Array<{ identity: string; reason: string; by: string; bannedAt: number }>;
  applications: Application[];
}

export function DecisionsTab() {
  const d = useAsync((signal) => api<Decisions>('/v1/licensing/decisions', { signal, token: null }), []);
  if (d.loading && !d.data) return <Loading />;
  return (
    <div>
      <ErrorBox error={d.error} />
      <h3>License decisions</h3>
      {d.data?.licenses.length === 0 ? <p className="muted">None.</p> : null}
      <ul>
        {d.data?.licenses.map((l) => (
          <li key={l.licenseId}>
            #{l.licenseId} {l.legalName} ({l.kind}) — <strong>{l.status}</strong>
            {l.reason ? `: “${l.reason}”` : ''} {l.endedAt ? <span className="muted">ended {dateTime(l.endedAt)}</span> : null}
          </li>
        ))}
      </ul>
      <h3>Bans</h3>
      {d.data?.bans.length === 0 ? <p className="muted">None.</p> : null}
      <ul>
        {d.data?.bans.map((b) => (
          <li key={b.identity}>
            <code>{b.identity}</code> — “{b.reason}” <span className="muted">{dateTime(b.bannedAt)}</span>
          </li>
        ))}
      </ul>
      <h3>Applications decided</h3>
      {d.data?.applications.length === 0 ? <p className="muted">None.</p> : null}
      <ul>
        {d.data?.applications.map((a) => (
          <li key={a.id}>
            {a.legalName} ({a.kind}) — <strong>{a.status}</strong>
            {a.licenseId ? ` as license #${a.licenseId}` : ''}
            {a.decisionReason ? `: “${a.decisionReason}”` : ''} <span className="muted">{dateTime(a.decidedAt)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
