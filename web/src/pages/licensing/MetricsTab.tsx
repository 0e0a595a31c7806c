// Monthly licensing metrics as the node publishes them (GET /v1/metrics/licensing, src/licensing/metrics):
// users per client, opted-in users per node, users per app, the licensed parties and every decision.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { SelectField } from '../../components/Field.tsx';
import { ErrorBox, Loading } from '../../components/Notice.tsx';

export interface Decision {
  at: number;
  decision: string;
  licenseId: string | null;
  businessName: string | null;
  identity: string | null;
  challengeId: string | null;
  status: string | null;
  reason: string;
  by: string | null;
  amount: string | null;
  txHash: string;
}

export interface MonthMetrics {
  month: string;
  asOf: number;
  final: boolean;
  definitions: Record<string, string>;
  usersPerClient: Array<{ licenseId: string; businessName: string; status: string; users: number }>;
  optedInUsersPerNode: Array<{ licenseId: string; businessName: string; status: string; users: number }>;
  usersPerApp: Array<{ licenseId: string; businessName: string; status: string; users: number }>;
  licensedParties: Array<{ licenseId: string; kind: string; status: string; businessName: string; dba: string }>;
  decisions: Decision[];
  totals: { licensedParties: number; activeLicenses: number; decisions: number };
}

/** The last 12 months, newest first, as YYYY-MM. */
export function recentMonths(n = 12): string[] {
  const d = new Date();
  return Array.from({ length: n }, (_, i) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7));
}

function Users({ title, rows, definition }: { title: string; rows: MonthMetrics['usersPerApp']; definition?: string | undefined }) {
  return (
    <table className="data">
      <caption>
        {title} {definition ? <span className="hint">{definition}</span> : null}
      </caption>
      <thead>
        <tr>
          <th scope="col">License</th>
          <th scope="col">Status</th>
          <th scope="col">Users</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={3} className="muted">
              None.
            </td>
          </tr>
        ) : null}
        {rows.map((r) => (
          <tr key={r.licenseId}>
            <td>
              #{r.licenseId} {r.businessName}
            </td>
            <td>{r.status}</td>
            <td>{r.users}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MetricsTab() {
  const months = recentMonths();
  const [month, setMonth] = useState(months[0]!);
  const m = useAsync((signal) => api<MonthMetrics>(`/v1/metrics/licensing?month=${month}`, { signal, token: null }), [month]);
  return (
    <div>
      <SelectField label="Month" value={month} onChange={(e) => setMonth(e.target.value)}>
        {months.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </SelectField>
      <ErrorBox error={m.error} />
      {m.loading && !m.data ? <Loading /> : null}
      {m.data ? (
        <>
          <p className="muted">
            {m.data.final ? 'Final figures for the month.' : `Month under way: figures as of ${dateTime(m.data.asOf)}.`}
          </p>
          <dl className="headline">
            <div>
              <dt>Licensed parties</dt>
              <dd>{m.data.totals.licensedParties}</dd>
            </div>
            <div>
              <dt>Active licenses</dt>
              <dd>{m.data.totals.activeLicenses}</dd>
            </div>
            <div>
              <dt>Decisions this month</dt>
              <dd>{m.data.totals.decisions}</dd>
            </div>
          </dl>
          <div className="console-grid">
            <Users title="Users per app" rows={m.data.usersPerApp} definition={m.data.definitions.usersPerApp} />
            <Users title="Users per client" rows={m.data.usersPerClient} definition={m.data.definitions.usersPerClient} />
            <Users title="Opted-in users per node" rows={m.data.optedInUsersPerNode} definition={m.data.definitions.optedInUsersPerNode} />
          </div>
        </>
      ) : null}
    </div>
  );
}
