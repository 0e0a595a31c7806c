// Pause, resume and disconnect the vehicle's OEM connection.
import { api } from '../../../api/http.ts';
import type { VehicleSummary } from '../../../api/types.ts';
import { Button, useAction } from '../../../components/Button.tsx';
import { ErrorBox } from '../../../components/Notice.tsx';

export function ConnectionControls({ vehicle, onChange }: { vehicle: VehicleSummary; onChange(): void }) {
  const [run, busy, error] = useAction();
  const live = vehicle.connections.find((c) => c.state !== 'disconnected');
  if (!live) return null;
  const act = (what: 'pause' | 'resume' | 'disconnect') =>
    run(async () => {
      if (what === 'disconnect') {
        if (!window.confirm(`Disconnect ${live.oem}? Data collection stops; what is stored stays until you delete it.`)) return;
        await api(`/v1/connections/${live.id}`, { method: 'DELETE' });
      } else {
        await api(`/v1/connections/${live.id}/${what}`, { method: 'POST', body: {} });
      }
      onChange();
    });
  return (
    <div className="actions" aria-label="Connection">
      <span className="muted">
        {live.oem === 'tesla' ? 'Tesla' : 'Smartcar'} connection: {live.state}
      </span>
      {live.state === 'active' ? (
        <Button type="button" variant="quiet" busy={busy} onClick={() => void act('pause')}>
          Pause collection
        </Button>
      ) : null}
      {live.state === 'paused' ? (
        <Button type="button" variant="quiet" busy={busy} onClick={() => void act('resume')}>
          Resume collection
        </Button>
      ) : null}
      <Button type="button" variant="quiet" busy={busy} onClick={() => void act('disconnect')}>
        Disconnect
      </Button>
      <ErrorBox error={error} />
    </div>
  );
}
