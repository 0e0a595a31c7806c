// Charts of the signals the owner picks (from those the vehicle reports), over the last day of data by
// default; refreshed every 15 s while open.
import { useMemo, useState } from 'react';
import { api } from '../../../api/http.ts';
import type { SignalDef, VehicleSummary } from '../../../api/types.ts';
import { signalLabel } from '../../../app/format.ts';
import { HEADLINE_SIGNALS } from '../../../app/signal-catalog.ts';
import { useAsync } from '../../../app/useAsync.ts';
import { Checkbox, SelectField } from '../../../components/Field.tsx';
import { ErrorBox, Loading } from '../../../components/Notice.tsx';
import { SignalChart, type SeriesData } from '../../../components/SignalChart.tsx';

const RANGES = [
  { id: '6h', ms: 6 * 3600_000, title: 'Last 6 hours of data' },
  { id: '24h', ms: 86_400_000, title: 'Last day of data' },
  { id: '7d', ms: 7 * 86_400_000, title: 'Last week of data' },
];

export function ChartsPanel({ vehicle, catalog }: { vehicle: VehicleSummary; catalog: Map<string, SignalDef> }) {
  const available = useMemo(
    () => Object.keys(vehicle.latest).filter((n) => typeof vehicle.latest[n]![1] === 'number' && !catalog.get(n)?.location).sort((a, b) => signalLabel(a).localeCompare(signalLabel(b))),
    [vehicle.latest, catalog],
  );
  const defaults = HEADLINE_SIGNALS.filter((n) => available.includes(n)).slice(0, 4);
  const [picked, setPicked] = useState<string[] | undefined>();
  const names = picked ?? defaults;
  const [range, setRange] = useState('24h');
  const ms = RANGES.find((r) => r.id === range)!.ms;
  const end = vehicle.lastDataAt;
  const series = useAsync(
    (signal) => (names.length && end ? api<{ series: Record<string, SeriesData> }>(`/v1/owner/vehicles/${vehicle.tokenId}/signals?names=${names.join(',')}&from=${end - ms}&to=${end + 60_000}&points=400`, { signal }) : Promise.resolve({ series: {} as Record<string, SeriesData> })),
    [vehicle.tokenId, names.join(','), range, Math.floor((end ?? 0) / 15_000)],
  );
  if (available.length === 0) return <p>No readings yet. Data appears here within a minute of the car reporting.</p>;
  const toggle = (n: string) => setPicked(names.includes(n) ? names.filter((x) => x !== n) : [...names, n].slice(-8));
  return (
    <div className="charts-panel">
      <div className="chart-controls">
        <SelectField label="Period" value={range} onChange={(e) => setRange(e.target.value)}>
          {RANGES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.title}
            </option>
          ))}
        </SelectField>
        <fieldset className="signal-picker">
          <legend>Signals to chart</legend>
          {available.map((n) => (
            <Checkbox key={n} label={signalLabel(n)} checked={names.includes(n)} onChange={() => toggle(n)} />
          ))}
        </fieldset>
      </div>
      <ErrorBox error={series.error} />
      {series.loading && !series.data ? <Loading what="Loading readings" /> : null}
      <div className="charts">
        {names.map((n) => (
          <SignalChart key={n} title={signalLabel(n)} unit={catalog.get(n)?.unit ?? null} series={series.data?.series[n] ?? { ts: [], v: [] }} />
        ))}
      </div>
    </div>
  );
}
