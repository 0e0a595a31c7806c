// The owner's vehicles with live status (refreshed every 10 s), and connections still being set up.
import { useEffect, useState } from 'react';
import { api } from '../../api/http.ts';
import type { Connection, SignalDef, VehicleSummary } from '../../api/types.ts';
import { value } from '../../app/format.ts';
import { Layout } from '../../app/Layout.tsx';
import { Link } from '../../app/Link.tsx';
import { HEADLINE_SIGNALS, signalCatalog } from '../../app/signal-catalog.ts';
import { useAsync } from '../../app/useAsync.ts';
import { ErrorBox, Loading } from '../../components/Notice.tsx';
import { VehicleStatus } from '../../components/VehicleStatus.tsx';
import { signalLabel } from '../../app/format.ts';

export function useCatalog(): Map<string, SignalDef> {
  const [catalog, setCatalog] = useState(new Map<string, SignalDef>());
  useEffect(() => void signalCatalog().then(setCatalog), []);
  return catalog;
}

export function Headline({ vehicle, catalog, max = 4 }: { vehicle: VehicleSummary; catalog: Map<string, SignalDef>; max?: number }) {
  const shown = HEADLINE_SIGNALS.filter((n) => vehicle.latest[n] !== undefined).slice(0, max);
  if (shown.length === 0) return null;
  return (
    <dl className="headline">
      {shown.map((n) => (
        <div key={n}>
          <dt>{signalLabel(n)}</dt>
          <dd data-signal={n}>{value(vehicle.latest[n]![1], catalog.get(n)?.unit)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function VehiclesPage() {
  const { data, error, loading } = useAsync((signal) => api<{ vehicles: VehicleSummary[]; pending: Connection[] }>('/v1/owner/vehicles', { signal }), [], { pollMs: 10_000 });
  const catalog = useCatalog();
  const waiting = data?.pending.filter((c) => c.state === 'pending') ?? [];
  return (
    <Layout title="Your vehicles">
      <p>
        <Link href="/vehicles/connect" className="btn">
          Connect a car
        </Link>
      </p>
      <ErrorBox error={error} />
      {loading && !data ? <Loading what="Loading your vehicles" /> : null}
      {data && data.vehicles.length === 0 && waiting.length === 0 ? <p>No vehicles yet. Connect a car to start.</p> : null}
      <ul className="cards" aria-label="Vehicles">
        {data?.vehicles.map((v) => (
          <li key={v.tokenId} className="card vehicle-card">
            <h2>
              <Link href={`/vehicles/${v.tokenId}`}>
                {v.year} {v.make} {v.model}
              </Link>
            </h2>
            <VehicleStatus vehicle={v} />
            <Headline vehicle={v} catalog={catalog} />
          </li>
        ))}
      </ul>
      {waiting.length > 0 ? (
        <section>
          <h2>Waiting for your signature</h2>
          <ul>
            {waiting.map((c) => (
              <li key={c.id}>
                {c.year} {c.make} {c.model} ({c.oem}) — <Link href={`/connect/${c.oem}/callback?resume=${encodeURIComponent(c.oemVehicleId)}`}>finish connecting</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
