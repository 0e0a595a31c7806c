// Deleting a vehicle's data: the apps' access is revoked first (signed here), then the node disconnects
// the car, empties the glovebox and destroys the keys of everything stored; finally it shows, counted
// from its own tables, that nothing remains.
import { useState } from 'react';
import { api } from '../../../api/http.ts';
import type { OwnerGrant, VehicleSummary } from '../../../api/types.ts';
import { revokeAccess } from '../../../consent/grant-actions.ts';
import { useAction } from '../../../components/Button.tsx';
import { ErrorBox, Notice } from '../../../components/Notice.tsx';
import { TypedConfirm } from '../../../components/TypedConfirm.tsx';
import { RemainingTable } from '../../../components/RemainingTable.tsx';
import { useSession } from '../../../session/SessionProvider.tsx';

export function DeleteVehiclePanel({ vehicle, onDeleted }: { vehicle: VehicleSummary; onDeleted(): void }) {
  const { signer } = useSession();
  const [run, busy, error] = useAction();
  const [step, setStep] = useState<string>();
  const [result, setResult] = useState<{ deleted: Record<string, number>; remaining: Record<string, number> }>();
  const phrase = `delete vehicle ${vehicle.tokenId}`;

  const erase = () =>
    run(async () => {
      const { grants } = await api<{ grants: OwnerGrant[] }>('/v1/owner/grants');
      const mine = grants.filter((g) => g.vehicleId === vehicle.tokenId);
      const s = await signer();
      for (const [i, g] of mine.entries()) {
        setStep(`Revoking app access ${i + 1} of ${mine.length}…`);
        await revokeAccess(s, g.vehicleId, g.grantee);
      }
      setStep('Deleting the stored data…');
      setResult(await api(`/v1/owner/vehicles/${vehicle.tokenId}`, { method: 'DELETE', body: { confirm: phrase } }));
      setStep(undefined);
      onDeleted();
    });

  if (result) {
    const clean = Object.values(result.remaining).every((n) => n === 0);
    return (
      <section aria-live="polite">
        <Notice kind={clean ? 'ok' : 'warn'}>{clean ? 'Deleted. Nothing of this vehicle remains on this node.' : 'Deleted, but something remains: see below.'}</Notice>
        <RemainingTable remaining={result.remaining} caption="What this node still holds for the vehicle" />
        <p className="muted">The vehicle's token stays yours on chain (it is its identity, with no data in it); connect the car again at any time.</p>
      </section>
    );
  }
  return (
    <section className="danger">
      <h2>Delete this vehicle's data</h2>
      <ul>
        <li>every app you gave access to this vehicle loses it (you sign the revocations now);</li>
        <li>the connection to the car maker is removed and collection stops;</li>
        <li>all readings, positions, events, privacy settings and glovebox documents are deleted, and the keys that encrypted them destroyed.</li>
      </ul>
      <p>This cannot be undone. Download your data first if you want a copy.</p>
      {step ? <p role="status">{step}</p> : null}
      <ErrorBox error={error} />
      <TypedConfirm phrase={phrase} action="Delete this vehicle's data" busy={busy} onConfirm={() => void erase()} />
    </section>
  );
}
