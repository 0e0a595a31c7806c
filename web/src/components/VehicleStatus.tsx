// What a vehicle is doing, in words and a coloured badge, from its connection and the newest data.
import type { VehicleSummary } from '../api/types.ts';
import { ago } from '../app/format.ts';

export function statusOf(v: VehicleSummary): { label: string; tone: 'ok' | 'warn' | 'idle' | 'bad' } {
  const live = v.connections.find((c) => c.state !== 'disconnected');
  if (!live) return { label: 'Not connected', tone: 'idle' };
  if (live.state === 'paused') return { label: 'Paused by you', tone: 'idle' };
  if (live.state === 'pending') return { label: 'Waiting for your signature', tone: 'warn' };
  if (live.state === 'reauth_required') return { label: `Log in to ${live.oem} again`, tone: 'bad' };
  const words: Record<string, string> = { driving: 'Driving', charging: 'Charging', parked: 'Parked', asleep: 'Asleep', offline: 'Offline', not_capable: 'Not supported', unknown: 'Connecting…' };
  return { label: words[live.pollState] ?? live.pollState, tone: live.pollState === 'offline' ? 'warn' : 'ok' };
}

export function VehicleStatus({ vehicle }: { vehicle: VehicleSummary }) {
  const s = statusOf(vehicle);
  return (
    <p className="status-line">
      <span className={`badge badge-${s.tone}`}>{s.label}</span>{' '}
      <span className="muted" data-testid="last-data">
        {vehicle.lastDataAt ? `data ${ago(vehicle.lastDataAt)}` : 'no data yet'}
      </span>
    </p>
  );
}
