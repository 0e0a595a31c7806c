// Earnings: rewards per week and how they are computed — or, until the rewards engine has run, a plain
// statement that nothing is computed yet, with the rules it will apply.
import { api } from '../../api/http.ts';
import { Layout } from '../../app/Layout.tsx';
import { useAsync } from '../../app/useAsync.ts';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';

interface Earnings {
  computed: boolean;
  reason?: string;
  weeks: Array<{ week: string; vehicleId: string; points: number; dimo: string }>;
  terms: { locationSharePct: number };
  method: string[];
}

export function EarningsPage() {
  const e = useAsync((signal) => api<Earnings>('/v1/owner/earnings', { signal }), []);
  return (
    <Layout title="Earnings">
      <ErrorBox error={e.error} />
      {e.loading && !e.data ? <Loading /> : null}
      {e.data ? (
        <>
          {!e.data.computed ? (
            <Notice>
              <strong>Not yet computed.</strong> {e.data.reason} Weeks appear here once they are, with the numbers behind each.
            </Notice>
          ) : (
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Week</th>
                  <th scope="col">Vehicle</th>
                  <th scope="col">Points</th>
                  <th scope="col">DIMO</th>
                </tr>
              </thead>
              <tbody>
                {e.data.weeks.map((w) => (
                  <tr key={`${w.week}-${w.vehicleId}`}>
                    <td>{w.week}</td>
                    <td>{w.vehicleId}</td>
                    <td>{w.points}</td>
                    <td>{w.dimo}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <section>
            <h2>How rewards are computed</h2>
            <ol>
              {e.data.method.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ol>
          </section>
        </>
      ) : null}
    </Layout>
  );
}
