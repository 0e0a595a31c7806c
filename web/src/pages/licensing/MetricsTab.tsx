// Monthly figures: licenses issued and ended, bans, challenges opened and ruled, stake slashed,
// applications; and the standing today.
import { api } from '../../api/http.ts';
import { dimo } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { ErrorBox, Loading } from '../../components/Notice.tsx';

interface Month {
  month: string;
  issued: Record<string, number>;
  ended: Record<string, number>;
  bans: number;
  challengesOpened: number;
  challengesUpheld: number;
  challengesRejected: number;
  slashed: string;
  applicationsReceived: number;
  applicationsDecided: number;
}

interface Metrics {
  months: Month[];
  now: { active: Record<string, number>; suspended: number; understaked: number; banned: number; totalStake: string; openChallenges: number };
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function MetricsTab() {
  const m = useAsync((signal) => api<Metrics>('/v1/licensing/metrics?months=12', { signal, token: null }), []);
  if (m.loading && !m.data) return <Loading />;
  const months = m.data?.months ?? [];
  const peak = Math.max(1, ...months.map((x) => sum(x.issued)));
  return (
    <div>
      <ErrorBox error={m.error} />
      {m.data ? (
        <dl className="headline">
          <div>
            <dt>Active licenses</dt>
            <dd>{sum(m.data.now.active)}</dd>
          </div>
          <div>
            <dt>Suspended</dt>
            <dd>{m.data.now.suspended}</dd>
          </div>
          <div>
            <dt>Understaked</dt>
            <dd>{m.data.now.understaked}</dd>
          </div>
          <div>
            <dt>Banned identities</dt>
            <dd>{m.data.now.banned}</dd>
          </div>
          <div>
            <dt>Open challenges</dt>
            <dd>{m.data.now.openChallenges}</dd>
          </div>
          <div>
            <dt>Total stake</dt>
            <dd>{dimo(m.data.now.totalStake)}</dd>
          </div>
        </dl>
      ) : null}
      <figure>
        <figcaption>Licenses issued per month</figcaption>
        <div className="bars" role="img" aria-label={`Licenses issued per month: ${months.map((x) => `${x.month} ${sum(x.issued)}`).join(', ')}`}>
          {months.map((x) => (
            <div key={x.month} style={{ height: `${(sum(x.issued) / peak) * 100}%` }} title={`${x.month}: ${sum(x.issued)}`} />
          ))}
        </div>
      </figure>
      <table className="data">
        <caption>By month</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Issued</th>
            <th scope="col">Ended</th>
            <th scope="col">Bans</th>
            <th scope="col">Challenges opened</th>
            <th scope="col">Upheld / rejected</th>
            <th scope="col">Slashed</th>
            <th scope="col">Applications in / decided</th>
          </tr>
        </thead>
        <tbody>
          {months.map((x) => (
            <tr key={x.month}>
              <td>{x.month}</td>
              <td>{Object.entries(x.issued).map(([k, n]) => `${n} ${k}`).join(', ') || 0}</td>
              <td>{Object.entries(x.ended).map(([k, n]) => `${n} ${k}`).join(', ') || 0}</td>
              <td>{x.bans}</td>
              <td>{x.challengesOpened}</td>
              <td>
                {x.challengesUpheld} / {x.challengesRejected}
              </td>
              <td>{dimo(x.slashed)}</td>
              <td>
                {x.applicationsReceived} / {x.applicationsDecided}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
