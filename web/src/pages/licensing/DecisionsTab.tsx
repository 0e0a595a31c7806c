// What the licensing team decided and why, as published: every decision made on chain in a month (from
// the node's licensing metrics) and the license applications decided here.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { Application } from '../../api/types.ts';
import { dateTime, shortAddress } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { SelectField } from '../../components/Field.tsx';
import { ErrorBox, Loading } from '../../components/Notice.tsx';
import { recentMonths, type MonthMetrics } from './MetricsTab.tsx';

const WORDS: Record<string, string> = {
  issued: 'Issued', status: 'Status changed', ban: 'Banned', unban: 'Unbanned', requirement: 'Requirement raised', 'challenge-upheld': 'Challenge upheld', 'challenge-rejected': 'Challenge rejected',
};

export function DecisionsTab() {
  const months = recentMonths();
  const [month, setMonth] = useState(months[0]!);
  const chain = useAsync((signal) => api<MonthMetrics>(`/v1/metrics/licensing?month=${month}`, { signal, token: null }), [month]);
  const apps = useAsync((signal) => api<{ applications: Application[] }>('/v1/licensing/decisions', { signal, token: null }), []);
  return (
    <div>
      <SelectField label="Month" value={month} onChange={(e) => setMonth(e.target.value)}>
        {months.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </SelectField>
      <ErrorBox error={chain.error} />
      {chain.loading && !chain.data ? <Loading /> : null}
      <table className="data" data-testid="decisions">
        <caption>Decisions on chain in {month}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Decision</th>
            <th scope="col">Who</th>
            <th scope="col">Reason (published)</th>
            <th scope="col">Transaction</th>
          </tr>
        </thead>
        <tbody>
          {chain.data?.decisions.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                None this month.
              </td>
            </tr>
          ) : null}
          {chain.data?.decisions.map((d) => (
            <tr key={`${d.txHash}-${d.decision}-${d.licenseId ?? d.identity}`}>
              <td>{dateTime(d.at)}</td>
              <td>
                {WORDS[d.decision] ?? d.decision}
                {d.status ? ` → ${d.status}` : ''}
              </td>
              <td>{d.licenseId ? `#${d.licenseId} ${d.businessName ?? ''}` : d.challengeId ? `challenge ${d.challengeId}` : shortAddress(d.identity)}</td>
              <td>{d.reason}</td>
              <td>
                <code title={d.txHash}>{shortAddress(d.txHash)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Applications decided</h3>
      <ErrorBox error={apps.error} />
      {apps.data?.applications.length === 0 ? <p className="muted">None.</p> : null}
      <ul>
        {apps.data?.applications.map((a) => (
          <li key={a.id}>
            {a.legalName} ({a.kind}) — <strong>{a.status}</strong>
            {a.licenseId ? ` as license #${a.licenseId}` : ''}
            {a.decisionReason && a.decisionReason !== a.status ? `: “${a.decisionReason}”` : ''} <span className="muted">{dateTime(a.decidedAt)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
