// The query explorer: authenticate as the app would (web3 challenge → developer token → token exchange
// → vehicle token), then send GraphQL to /query and see exactly what the app would get, refusals
// included.
import { useState } from 'react';
import { ApiError } from '../../api/http.ts';
import type { License } from '../../api/types.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { Checkbox, SelectField, TextArea, TextField } from '../../components/Field.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';
import { privilege } from '../../consent/privileges.ts';
import { api } from '../../api/http.ts';
import type { SigningInfo } from '../../api/types.ts';
import { useSession } from '../../session/SessionProvider.tsx';
import { developerToken, maskPrivileges, sharedVehicles, vehicleToken, type DeveloperToken } from './dev-auth.ts';

const EXAMPLE = (tokenId: string) => `query {
  signalsLatest(tokenId: ${tokenId || 1}) {
    lastSeen
    speed { timestamp value }
    powertrainTransmissionTravelledDistance { timestamp value }
    powertrainTractionBatteryStateOfChargeCurrent { timestamp value }
  }
}`;

export function QueryExplorer({ license, dev, onDev }: { license: License; dev: DeveloperToken | undefined; onDev(t: DeveloperToken): void }) {
  const { signer } = useSession();
  const [clientId, setClientId] = useState(license.holder);
  const [domain, setDomain] = useState(window.location.origin);
  const vehicles = useAsync((signal) => (signal.aborted ? Promise.resolve([]) : sharedVehicles(clientId)), [clientId, dev?.accessToken]);
  const [tokenId, setTokenId] = useState('');
  const [asked, setAsked] = useState<number[]>();
  const [query, setQuery] = useState<string>();
  const [vt, setVt] = useState<{ token: string; at: number; key: string }>();
  const [result, setResult] = useState<{ status: number; body: string }>();
  const [run, busy, error] = useAction();

  const chosen = vehicles.data?.find((v) => String(v.tokenId) === tokenId) ?? vehicles.data?.[0];
  const held = maskPrivileges(chosen?.privileges ?? null);
  const privileges = asked ?? held;
  const text = query ?? EXAMPLE(String(chosen?.tokenId ?? ''));

  const signIn = () =>
    run(async () => {
      onDev(await developerToken(await signer(), clientId, domain));
    });

  const send = () =>
    run(async () => {
      if (!dev) throw new Error('Get a developer token first.');
      if (!chosen) throw new Error('No vehicle is shared with this address yet.');
      const key = `${chosen.tokenId}:${privileges.join(',')}`;
      let token = vt?.key === key && Date.now() - vt.at < 8 * 60_000 ? vt.token : undefined;
      setResult(undefined);
      if (!token) {
        const info = await api<SigningInfo>(`/v1/relay/signing/${dev.clientId}`);
        try {
          token = await vehicleToken(dev, info.contracts.VehicleId!.domain.verifyingContract, String(chosen.tokenId), privileges);
        } catch (e) {
          if (e instanceof ApiError) {
            setResult({ status: e.status, body: JSON.stringify({ code: e.code, message: e.message, details: e.details }, null, 2) });
            setVt(undefined);
            return;
          }
          throw e;
        }
        setVt({ token, at: Date.now(), key });
      }
      const res = await fetch('/query', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: text }) });
      const body = await res.text();
      let pretty = body;
      try {
        pretty = JSON.stringify(JSON.parse(body), null, 2);
      } catch {
        // not JSON
      }
      setResult({ status: res.status, body: pretty });
    });

  return (
    <div className="query-explorer">
      <section className="card">
        <h3>1. Developer token</h3>
        <div className="filter-row">
          <TextField label="Client id (the address acting for the license)" value={clientId} onChange={(e) => setClientId(e.target.value.trim())} />
          <TextField label="Domain (a redirect URI of the license)" value={domain} onChange={(e) => setDomain(e.target.value.trim())} />
        </div>
        <Button type="button" busy={busy && !dev} onClick={() => void signIn()}>
          {dev ? 'Get a new developer token' : 'Get developer token'}
        </Button>
        {dev ? <Notice kind="ok">Developer token for {dev.clientId}, valid until {new Date(dev.expiresAt).toLocaleTimeString()}.</Notice> : null}
      </section>
      <section className="card">
        <h3>2. Vehicle and access</h3>
        <ErrorBox error={vehicles.error} />
        {vehicles.data && vehicles.data.length === 0 ? <p className="muted">No owner has shared a vehicle with {clientId} yet: send them your consent link.</p> : null}
        {vehicles.data && vehicles.data.length > 0 ? (
          <>
            <SelectField label="Vehicle" value={String(chosen?.tokenId ?? '')} onChange={(e) => { setTokenId(e.target.value); setAsked(undefined); setQuery(undefined); }}>
              {vehicles.data.map((v) => (
                <option key={v.tokenId} value={v.tokenId}>
                  {v.tokenId}: {v.year} {v.make} {v.model}
                </option>
              ))}
            </SelectField>
            <fieldset>
              <legend>Privileges to ask for in the vehicle token</legend>
              {[1, 2, 3, 4, 5, 6, 7, 8].map((id) => (
                <Checkbox
                  key={id}
                  label={`${privilege(id).title} (${id})${held.includes(id) ? '' : ' — not granted'}`}
                  checked={privileges.includes(id)}
                  onChange={(e) => setAsked(e.target.checked ? [...privileges, id].sort() : privileges.filter((p) => p !== id))}
                />
              ))}
            </fieldset>
          </>
        ) : null}
      </section>
      <section className="card">
        <h3>3. Query</h3>
        <TextArea label="GraphQL query (sent to /query with the vehicle token)" value={text} onChange={(e) => setQuery(e.target.value)} rows={10} spellCheck={false} />
        <ErrorBox error={error} />
        <Button type="button" busy={busy && !!dev} busyLabel="Running…" onClick={() => void send()}>
          Run query
        </Button>
        {result ? (
          <>
            <p role="status" data-testid="query-status">
              HTTP {result.status} {result.status === 200 && !/"errors"/.test(result.body) ? 'answered' : 'refused or failed'}
            </p>
            <pre className="result" data-testid="query-result">
              {result.body}
            </pre>
          </>
        ) : null}
      </section>
    </div>
  );
}
