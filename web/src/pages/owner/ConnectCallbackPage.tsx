// Back from the OEM's login: the node exchanges the code and lists the account's cars; for each new car
// the owner signs (in this browser) the EIP-712 payloads that mint the vehicle to them and attach this
// node's connection, and the node activates polling. Also reached with ?resume=<oem vehicle id> to
// finish a connection left waiting.
import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../../api/http.ts';
import { Layout } from '../../app/Layout.tsx';
import { Link } from '../../app/Link.tsx';
import { useLocation } from '../../app/router.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import { fromJsonTypedData, type JsonTypedData } from '../../wallet/typed-data.ts';

interface Payloads {
  vehicle?: JsonTypedData;
  syntheticDevice: JsonTypedData;
}

interface OnboardedVehicle {
  connectionId: string;
  oemVehicleId: string;
  make: string;
  model: string;
  year: number;
  displayName?: string;
  state: string;
  vehicleId: string | null;
  signing?: Payloads;
}

type Outcome = { state: 'waiting' } | { state: 'working' } | { state: 'done'; vehicleId: string } | { state: 'failed'; error: unknown };

export function ConnectCallbackPage({ oem }: { oem: string }) {
  const { query } = useLocation();
  const { signer } = useSession();
  const code = query.get('code');
  const state = query.get('state');
  const resume = query.get('resume');
  const oauthError = query.get('error');
  const [vehicles, setVehicles] = useState<OnboardedVehicle[]>();
  const [loadError, setLoadError] = useState<unknown>();
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [run, busy, error] = useAction();
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (oauthError) {
      setLoadError(new Error(`The ${oem} login did not complete: ${query.get('error_description') ?? oauthError}`));
      return;
    }
    // A login code works once: a reload must not spend it again.
    const seen = state ? sessionStorage.getItem(`opendimo.oauth.${state}`) : null;
    if (code && state && !seen) {
      sessionStorage.setItem(`opendimo.oauth.${state}`, '1');
      api<{ vehicles: OnboardedVehicle[] }>(`/v1/connections/${oem}/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`).then((r) => setVehicles(r.vehicles), setLoadError);
    } else if (resume || seen) {
      api<{ connections: Array<{ oemVehicleId: string; id: string; make: string; model: string; year: number; state: string; vehicleId: string | null; oem: string }> }>('/v1/connections').then(async (r) => {
        const pending = r.connections.filter((c) => c.oem === oem && c.state === 'pending' && (!resume || c.oemVehicleId === resume));
        const list: OnboardedVehicle[] = [];
        for (const c of pending) {
          const signing = await api<Payloads>(`/v1/connections/${oem}/vehicles/${encodeURIComponent(c.oemVehicleId)}/signing`);
          list.push({ connectionId: c.id, oemVehicleId: c.oemVehicleId, make: c.make, model: c.model, year: c.year, state: c.state, vehicleId: c.vehicleId, signing });
        }
        setVehicles(list);
      }, setLoadError);
    } else {
      setLoadError(new Error('This page finishes a login with the car maker; start from "Connect a car".'));
    }
  }, [code, state, resume, oem, oauthError, query]);

  const activate = async (v: OnboardedVehicle) => {
    const s = await signer();
    let payloads = v.signing!;
    for (let attempt = 0; attempt < 2; attempt++) {
      const body: Record<string, unknown> = {};
      if (payloads.vehicle) body.vehicle = { message: payloads.vehicle.message, signature: await s.signTypedData(fromJsonTypedData(payloads.vehicle)) };
      body.syntheticDevice = { message: payloads.syntheticDevice.message, signature: await s.signTypedData(fromJsonTypedData(payloads.syntheticDevice)) };
      try {
        return await api<{ vehicleId: string }>(`/v1/connections/${oem}/vehicles/${encodeURIComponent(v.oemVehicleId)}/activate`, { body });
      } catch (e) {
        // Someone else's mint took the predicted id or a nonce moved on: sign the fresh payloads once.
        if (e instanceof ApiError && e.code === 'ODM_ERR_ONBOARDING_STALE' && attempt === 0 && e.details.signing) {
          payloads = e.details.signing as Payloads;
          continue;
        }
        throw e;
      }
    }
    throw new Error('the payloads went stale twice; try again');
  };

  const connectAll = () =>
    run(async () => {
      for (const v of (vehicles ?? []).filter((x) => x.signing)) {
        setOutcomes((o) => ({ ...o, [v.connectionId]: { state: 'working' } }));
        try {
          const r = await activate(v);
          setOutcomes((o) => ({ ...o, [v.connectionId]: { state: 'done', vehicleId: r.vehicleId } }));
        } catch (e) {
          setOutcomes((o) => ({ ...o, [v.connectionId]: { state: 'failed', error: e } }));
        }
      }
    });

  const toSign = vehicles?.filter((v) => v.signing) ?? [];
  const already = vehicles?.filter((v) => !v.signing) ?? [];
  const allDone = toSign.length > 0 && toSign.every((v) => outcomes[v.connectionId]?.state === 'done');

  return (
    <Layout title={`Connecting your ${oem === 'tesla' ? 'Tesla' : 'car'}`}>
      <ErrorBox error={loadError} />
      {!vehicles && !loadError ? <Loading what="Finishing the login" /> : null}
      {vehicles && vehicles.length === 0 ? <Notice>There is no car left to connect on this account.</Notice> : null}
      {toSign.length > 0 ? (
        <section className="card">
          <h2>Sign to connect</h2>
          <p>
            For each car you sign two messages with your wallet: one registers the car as yours (a vehicle token, with a salted fingerprint of the VIN, never
            the VIN itself), the other attaches this node's {oem === 'tesla' ? 'Tesla' : 'Smartcar'} connection so it may collect the car's data for you.
            Nothing is shared with any app until you approve one.
          </p>
          <ul className="steps" aria-live="polite">
            {toSign.map((v) => {
              const o = outcomes[v.connectionId];
              return (
                <li key={v.connectionId}>
                  <strong>
                    {v.year} {v.make} {v.model}
                  </strong>{' '}
                  {v.displayName ? `“${v.displayName}” ` : ''}
                  {!o || o.state === 'waiting' ? <span className="muted">ready to sign</span> : null}
                  {o?.state === 'working' ? <span className="muted">signing and registering…</span> : null}
                  {o?.state === 'done' ? (
                    <span className="badge badge-ok">
                      connected — <Link href={`/vehicles/${o.vehicleId}`}>open vehicle {o.vehicleId}</Link>
                    </span>
                  ) : null}
                  {o?.state === 'failed' ? <ErrorBox error={o.error} /> : null}
                </li>
              );
            })}
          </ul>
          <ErrorBox error={error} />
          {!allDone ? (
            <Button type="button" busy={busy} busyLabel="Connecting…" onClick={() => void connectAll()}>
              Sign and connect
            </Button>
          ) : (
            <p>
              <Link href="/vehicles" className="btn">
                Go to your vehicles
              </Link>
            </p>
          )}
        </section>
      ) : null}
      {already.length > 0 ? (
        <section>
          <h2>Already connected</h2>
          <ul>
            {already.map((v) => (
              <li key={v.connectionId}>
                {v.year} {v.make} {v.model} — {v.state}
                {v.vehicleId ? (
                  <>
                    {' '}
                    (<Link href={`/vehicles/${v.vehicleId}`}>vehicle {v.vehicleId}</Link>)
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}
