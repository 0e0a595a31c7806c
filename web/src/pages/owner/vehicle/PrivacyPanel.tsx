// Privacy for one vehicle: draw zones (circle or polygon) where positions are blurred or dropped, and
// turn location off altogether, with what that costs in rewards. Saving is signed by the owner (the
// node's privacy route checks the owner's signature on every request). Recent positions are shown on
// the same map, so the effect of a zone is visible as soon as the car reports again.
import { useEffect, useState } from 'react';
import { api } from '../../../api/http.ts';
import type { VehicleSummary } from '../../../api/types.ts';
import { Button, useAction } from '../../../components/Button.tsx';
import { Checkbox, SelectField, TextField } from '../../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../../components/Notice.tsx';
import { MapView, type DrawMode } from '../../../map/MapView.tsx';
import { describeZone, MAX_RADIUS_M, MIN_RADIUS_M, type PrivacySettings, type Zone, type ZoneAction } from '../../../map/zones.ts';
import { useSession } from '../../../session/SessionProvider.tsx';
import { ownerRequestHeaders } from '../../../wallet/owner-request.ts';
import { TripSummary, useTrips } from './TripsPanel.tsx';

export function PrivacyPanel({ vehicle, onSaved }: { vehicle: VehicleSummary; onSaved(): void }) {
  const { signer } = useSession();
  const path = `/v1/vehicles/${vehicle.tokenId}/privacy`;
  const [settings, setSettings] = useState<PrivacySettings>();
  const [saved, setSaved] = useState<PrivacySettings>();
  const [loadError, setLoadError] = useState<unknown>();
  const [draw, setDraw] = useState<DrawMode>();
  const [finish, setFinish] = useState(0);
  const [action, setAction] = useState<ZoneAction>('redact');
  const [radius, setRadius] = useState('500');
  const [cost, setCost] = useState<number>();
  const [run, busy, error] = useAction();
  const [note, setNote] = useState<string>();
  const trips = useTrips(vehicle, 6 * 3600_000);

  useEffect(() => {
    let gone = false;
    void (async () => {
      try {
        const s = await signer();
        const headers = await ownerRequestHeaders(s, 'GET', path, '');
        const got = await api<PrivacySettings>(path, { headers });
        if (!gone) {
          setSettings(got);
          setSaved(got);
        }
      } catch (e) {
        if (!gone) setLoadError(e);
      }
    })();
    void api<{ rules: { locationOptOutReductionPercent: number } }>('/v1/rewards/weeks').then((r) => !gone && setCost(r.rules.locationOptOutReductionPercent), () => undefined);
    return () => void (gone = true);
  }, [path, signer]);

  const add = (z: { kind: 'circle'; lat: number; lng: number; radiusM: number } | { kind: 'polygon'; points: Array<[number, number]> }) => {
    setSettings((s) => (s ? { ...s, zones: [...s.zones, { ...z, action } as Zone] } : s));
    setDraw(undefined);
    setNote('Zone added — save to apply it.');
  };

  const save = () =>
    run(async () => {
      if (!settings) return;
      const body = JSON.stringify(settings);
      const headers = await ownerRequestHeaders(await signer(), 'PUT', path, body);
      const got = await api<PrivacySettings>(path, { method: 'PUT', body, headers });
      setSettings(got);
      setSaved(got);
      setNote('Saved. New positions inside your zones are changed before they are stored.');
      onSaved();
    });

  if (loadError) return <ErrorBox error={loadError} title="Could not read the privacy settings" />;
  if (!settings) return <Loading what="Loading privacy settings" />;
  const dirty = JSON.stringify(settings) !== JSON.stringify(saved);
  const radiusM = Number(radius);
  const radiusOk = Number.isFinite(radiusM) && radiusM >= MIN_RADIUS_M && radiusM <= MAX_RADIUS_M;

  return (
    <div className="privacy-panel">
      <section aria-labelledby="optout-h">
        <h2 id="optout-h">Location</h2>
        <Checkbox
          label="Turn location off for this vehicle"
          hint={`No position is stored or shared, ever, while this is on.${cost !== undefined ? ` It costs rewards: this vehicle's weekly connection and streak points drop by ${cost}%.` : ''}`}
          checked={settings.locationOptOut}
          onChange={(e) => setSettings({ ...settings, locationOptOut: e.target.checked })}
        />
      </section>

      <section aria-labelledby="zones-h">
        <h2 id="zones-h">Privacy zones</h2>
        <p>Inside a zone, positions are blurred to the centre of an area about 3 km across (redact) or not stored at all (drop). Draw zones around home, work, or anywhere else.</p>
        <div className="zone-tools">
          <SelectField label="Inside the zone" value={action} onChange={(e) => setAction(e.target.value as ZoneAction)}>
            <option value="redact">Blur positions (redact)</option>
            <option value="drop">Store no position (drop)</option>
          </SelectField>
          <div className="actions" role="group" aria-label="Draw a zone">
            <Button type="button" variant={draw === 'circle' ? 'active' : 'quiet'} aria-pressed={draw === 'circle'} onClick={() => setDraw(draw === 'circle' ? undefined : 'circle')}>
              Draw a circle
            </Button>
            <Button type="button" variant={draw === 'polygon' ? 'active' : 'quiet'} aria-pressed={draw === 'polygon'} onClick={() => setDraw(draw === 'polygon' ? undefined : 'polygon')}>
              Draw an area
            </Button>
            {draw === 'polygon' ? (
              <Button type="button" onClick={() => setFinish((n) => n + 1)}>
                Finish area
              </Button>
            ) : null}
          </div>
          {draw ? (
            <p className="hint" role="status">
              {draw === 'circle' ? 'Click the centre on the map, then a point on the edge.' : 'Click each corner on the map, then “Finish area” (or double-click).'}
            </p>
          ) : null}
          {vehicle.location ? (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (radiusOk && vehicle.location) add({ kind: 'circle', lat: vehicle.location.lat, lng: vehicle.location.lng, radiusM: radiusM });
              }}
            >
              <TextField label="Radius in metres" type="number" inputMode="numeric" min={MIN_RADIUS_M} max={MAX_RADIUS_M} value={radius} onChange={(e) => setRadius(e.target.value)} error={radiusOk ? undefined : `Between ${MIN_RADIUS_M} and ${MAX_RADIUS_M}.`} />
              <Button type="submit" variant="quiet" disabled={!radiusOk}>
                Add a circle around the car's latest position
              </Button>
            </form>
          ) : null}
        </div>
        <MapView
          label="Map for drawing privacy zones; also shows the last 6 hours of positions"
          zones={settings.zones}
          trips={trips.data?.trips ?? []}
          position={vehicle.location}
          draw={draw}
          finishPolygon={finish}
          onDrawn={add}
          className="map-tall"
        />
        {trips.data ? <TripSummary data={trips.data} /> : null}
        {settings.zones.length === 0 ? <p className="muted">No zones yet.</p> : null}
        <ul className="zone-list" aria-label="Your zones">
          {settings.zones.map((z, i) => (
            <li key={i}>
              {describeZone(z)}{' '}
              <button type="button" className="link" onClick={() => setSettings({ ...settings, zones: settings.zones.filter((_, j) => j !== i) })}>
                Remove<span className="sr-only"> zone {i + 1}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {note ? <Notice kind="ok">{note}</Notice> : null}
      <ErrorBox error={error} />
      <Button type="button" disabled={!dirty} busy={busy} busyLabel="Saving…" onClick={() => void save()}>
        Save privacy settings
      </Button>
    </div>
  );
}
