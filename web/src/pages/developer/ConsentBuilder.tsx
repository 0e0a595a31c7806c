// Building an opt-in request: which access, which streams how often, why, for how long, for which
// address. The result is a link owners open; their consent page checks every claim against the node.
import { useMemo, useState } from 'react';
import type { License } from '../../api/types.ts';
import { signalLabel } from '../../app/format.ts';
import { Button } from '../../components/Button.tsx';
import { Checkbox, SelectField, TextArea, TextField } from '../../components/Field.tsx';
import { Notice } from '../../components/Notice.tsx';
import { encodeRequest, type ConsentRequest } from '../../consent/consent-request.ts';
import { PRIVILEGES } from '../../consent/privileges.ts';
import { useCatalog } from '../owner/VehiclesPage.tsx';

const FREQUENCIES = ['1s', '10s', '1m', '5m', '1h', '1d', 'on change'];

export function ConsentBuilder({ license }: { license: License }) {
  const catalog = useCatalog();
  const [privileges, setPrivileges] = useState<number[]>([1]);
  const [streams, setStreams] = useState<Array<{ signal: string; frequency: string }>>([{ signal: 'speed', frequency: '1m' }]);
  const [signal, setSignal] = useState('powertrainTractionBatteryStateOfChargeCurrent');
  const [frequency, setFrequency] = useState('1m');
  const [purpose, setPurpose] = useState('');
  const [days, setDays] = useState('90');
  const [grantee, setGrantee] = useState(license.holder);
  const [copied, setCopied] = useState(false);
  const valid = privileges.length > 0 && purpose.trim().length > 0 && /^0x[0-9a-fA-F]{40}$/.test(grantee) && Number(days) >= 1;
  const link = useMemo(() => {
    if (!valid) return '';
    const req: ConsentRequest = { v: 1, licenseId: license.licenseId, grantee, privileges: [...privileges].sort(), streams, purpose: purpose.trim(), durationDays: Number(days) };
    return `${window.location.origin}/consent?request=${encodeRequest(req)}`;
  }, [valid, license.licenseId, grantee, privileges, streams, purpose, days]);
  const names = [...catalog.keys()].sort((a, b) => signalLabel(a).localeCompare(signalLabel(b)));
  return (
    <div className="console-grid">
      <form className="card" onSubmit={(e) => e.preventDefault()}>
        <h3>What your app asks for</h3>
        <fieldset>
          <legend>Access</legend>
          {PRIVILEGES.map((p) => (
            <Checkbox key={p.id} label={`${p.title} (${p.id})`} hint={p.description} checked={privileges.includes(p.id)} onChange={(e) => setPrivileges(e.target.checked ? [...privileges, p.id] : privileges.filter((x) => x !== p.id))} />
          ))}
        </fieldset>
        <fieldset>
          <legend>Telemetry streams and how often</legend>
          <ul>
            {streams.map((s) => (
              <li key={s.signal}>
                {signalLabel(s.signal)} — {s.frequency}{' '}
                <button type="button" className="link" onClick={() => setStreams(streams.filter((x) => x.signal !== s.signal))}>
                  Remove<span className="sr-only"> {s.signal}</span>
                </button>
              </li>
            ))}
          </ul>
          <SelectField label="Signal" value={signal} onChange={(e) => setSignal(e.target.value)}>
            {names.map((n) => (
              <option key={n} value={n}>
                {signalLabel(n)}
              </option>
            ))}
          </SelectField>
          <SelectField label="Frequency" value={frequency} onChange={(e) => setFrequency(e.target.value)}>
            {FREQUENCIES.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </SelectField>
          <Button type="button" variant="quiet" onClick={() => setStreams([...streams.filter((x) => x.signal !== signal), { signal, frequency }])}>
            Add stream
          </Button>
        </fieldset>
        <TextArea label="Purpose (shown to the owner)" required value={purpose} onChange={(e) => setPurpose(e.target.value)} />
        <TextField label="Duration in days" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
        <TextField label="Grantee address" hint="The address your API uses; the license holder or an address linked to it." value={grantee} onChange={(e) => setGrantee(e.target.value.trim())} />
      </form>
      <section className="card">
        <h3>Link for owners</h3>
        {!valid ? <p className="muted">Choose at least one access, write a purpose and a grantee address.</p> : null}
        {link ? (
          <>
            <div className="copy-row">
              <label htmlFor="consent-link" className="sr-only">
                Consent link
              </label>
              <input id="consent-link" readOnly value={link} data-testid="consent-link" onFocus={(e) => e.target.select()} />
              <Button
                type="button"
                onClick={() =>
                  void navigator.clipboard?.writeText(link).then(
                    () => setCopied(true),
                    () => setCopied(false),
                  )
                }
              >
                Copy
              </Button>
            </div>
            {copied ? <Notice kind="ok">Copied.</Notice> : null}
            <p>
              <a href={link} target="_blank" rel="noreferrer">
                Preview the owner's page
              </a>
            </p>
          </>
        ) : null}
      </section>
    </div>
  );
}
