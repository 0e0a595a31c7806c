// Earnings: rewards per week and why (the rewards engine's reasons, entry by entry), with the rules
// they follow. Until a week has been computed there is nothing to show, and the page says so.
import { api } from '../../api/http.ts';
import { dateTime, dimo } from '../../app/format.ts';
import { Layout } from '../../app/Layout.tsx';
import { useAsync } from '../../app/useAsync.ts';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';

export interface RewardRules {
  connectionPoints: Record<string, number>;
  streakLevels: Array<{ level: number; minWeeks: number; points: number }>;
  missedWeeksPerLevelDrop: number;
  locationOptOutReductionPercent: number;
  unionBonusPoints: number;
  rounding: string;
}

interface RewardEntry {
  week: number;
  weekStart: number;
  weekEnd: number;
  vehicleId: string;
  points: number;
  amount: string;
  streak: number | { level: number; weeks: number };
  posted: boolean;
  reasons: Array<{ code: string; text: string }>;
  claim?: unknown;
}

interface OwnerRewards {
  earned: string;
  entries: RewardEntry[];
  rules: RewardRules;
}

export function EarningsPage() {
  const r = useAsync((signal) => api<OwnerRewards>('/v1/owner/rewards', { signal }), []);
  const rules = r.data?.rules;
  return (
    <Layout title="Earnings">
      <ErrorBox error={r.error} />
      {r.loading && !r.data ? <Loading /> : null}
      {r.data && r.data.entries.length === 0 ? (
        <Notice>
          <strong>Not yet computed.</strong> No week of rewards has been computed for your vehicles on this node yet. Each week appears here once it is, with the points
          behind it.
        </Notice>
      ) : null}
      {r.data && r.data.entries.length > 0 ? (
        <>
          <p className="lead">
            Earned so far: <strong data-testid="earned">{dimo(r.data.earned)}</strong>
          </p>
          <table className="data">
            <caption className="sr-only">Rewards per week and vehicle</caption>
            <thead>
              <tr>
                <th scope="col">Week</th>
                <th scope="col">Vehicle</th>
                <th scope="col">Points</th>
                <th scope="col">DIMO</th>
                <th scope="col">How</th>
              </tr>
            </thead>
            <tbody>
              {r.data.entries.map((e) => (
                <tr key={`${e.week}-${e.vehicleId}`}>
                  <td>
                    {e.week} <span className="muted">({dateTime(e.weekStart)})</span>
                  </td>
                  <td>{e.vehicleId}</td>
                  <td>{e.points.toLocaleString('en-US')}</td>
                  <td>
                    {dimo(e.amount)} {e.posted ? <span className="badge badge-ok">claimable</span> : <span className="badge badge-idle">not posted yet</span>}
                  </td>
                  <td>
                    <ul>
                      {e.reasons.map((x, i) => (
                        <li key={i}>{x.text}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {rules ? (
        <section>
          <h2>How rewards are computed</h2>
          <ul>
            <li>
              Each week, a vehicle that delivered data earns connection points:{' '}
              {Object.entries(rules.connectionPoints)
                .map(([k, v]) => `${k === 'software' ? 'software integration (like a Tesla or Smartcar connection)' : k === 'aftermarket' ? 'aftermarket device' : k} ${v.toLocaleString('en-US')}`)
                .join(', ')}
              .
            </li>
            <li>
              Weeks in a row raise a streak level:{' '}
              {rules.streakLevels.map((l) => `level ${l.level} from ${l.minWeeks} weeks (+${l.points.toLocaleString('en-US')})`).join(', ')}; every {rules.missedWeeksPerLevelDrop} missed
              weeks in a row drop a level.
            </li>
            <li>Turning location off removes {rules.locationOptOutReductionPercent}% of those points.</li>
            <li>Each data union the vehicle belongs to adds {rules.unionBonusPoints} points.</li>
            <li>The week's rewards budget is shared in proportion to points: {rules.rounding}.</li>
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
