// Trips on a map (positions moved by a privacy zone drawn as orange dots), with a list beside it.
import { useState } from 'react';
import { api } from '../../../api/http.ts';
import type { Trip, VehicleSummary } from '../../../api/types.ts';
import { dateTime, timeOnly } from '../../../app/format.ts';
import { useAsync } from '../../../app/useAsync.ts';
import { SelectField } from '../../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../../components/Notice.tsx';
import { MapView } from '../../../map/MapView.tsx';

export interface TripsAnswer {
  from: number;
  to: number;
  points: number;
  redacted: number;
  trips: Trip[];
}

export function useTrips(vehicle: VehicleSummary, rangeMs: number) {
  const end = vehicle.lastDataAt;
  return useAsync(
    (signal) => (end ? api<TripsAnswer>(`/v1/owner/vehicles/${vehicle.tokenId}/trips?from=${end - rangeMs}&to=${end + 60_000}`, { signal }) : Promise.resolve({ from: 0, to: 0, points: 0, redacted: 0, trips: [] })),
    [vehicle.tokenId, rangeMs, Math.floor((end ?? 0) / 15_000)],
  );
}

export function TripSummary({ data }: { data: TripsAnswer }) {
  return (
    <p data-testid="trip-summary">
      {data.trips.length} {data.trips.length === 1 ? 'trip' : 'trips'}, {data.points} positions;{' '}
      <strong data-testid="redacted-count">{data.redacted} redacted</strong> by your privacy zones.
    </p>
  );
}

export function TripsPanel({ vehicle }: { vehicle: VehicleSummary }) {
  const [range, setRange] = useState(86_400_000);
  const trips = useTrips(vehicle, range);
  const [selected, setSelected] = useState<number>();
  const list = trips.data?.trips ?? [];
  const shown = selected === undefined ? list : list.slice(selected, selected + 1);
  if (vehicle.privacy.locationOptOut) return <Notice>Location is turned off for this vehicle, so there are no trips to show. Change it under Privacy.</Notice>;
  return (
    <div className="trips-panel">
      <SelectField label="Period" value={String(range)} onChange={(e) => setRange(Number(e.target.value))}>
        <option value={6 * 3600_000}>Last 6 hours of data</option>
        <option value={86_400_000}>Last day of data</option>
        <option value={7 * 86_400_000}>Last week of data</option>
      </SelectField>
      <ErrorBox error={trips.error} />
      {trips.loading && !trips.data ? <Loading what="Loading trips" /> : null}
      {trips.data ? <TripSummary data={trips.data} /> : null}
      <div className="map-and-list">
        <MapView label="Map of the vehicle's trips" trips={shown} position={vehicle.location} />
        <ol className="trip-list" aria-label="Trips">
          {list.map((t, i) => (
            <li key={t.start}>
              <button type="button" className={selected === i ? 'link active' : 'link'} aria-pressed={selected === i} onClick={() => setSelected(selected === i ? undefined : i)}>
                {dateTime(t.start)} – {timeOnly(t.end)}
              </button>
              <span className="muted">
                {' '}
                {t.distanceKm} km{t.redactedPoints ? `, ${t.redactedPoints} positions redacted` : ''}
              </span>
            </li>
          ))}
        </ol>
      </div>
      <p className="legend">
        <span className="key key-trip" /> exact positions <span className="key key-redacted" /> redacted (moved to the centre of a ~3 km area) <span className="key key-position" /> latest position
      </p>
    </div>
  );
}
