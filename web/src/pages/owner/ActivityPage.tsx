// The activity log: every collection, access by an app, stream, webhook, grant, revocation, export and
// deletion, newest first, filterable; and whether its hash chain checks out (the log is append-only and
// each entry commits to the one before, so a removed or altered entry shows).
import { useEffect, useState } from 'react';
import { api } from '../../api/http.ts';
import type { ActivityEntry, License } from '../../api/types.ts';
import { dateTime, shortAddress } from '../../app/format.ts';
import { Layout } from '../../app/Layout.tsx';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { Checkbox, TextField } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { privilege } from '../../consent/privileges.ts';

const KINDS: Array<[string, string]> = [
  ['read', 'App reads'], ['stream', 'Live streams'], ['webhook', 'Webhooks'], ['grant', 'Grants'], ['revoke', 'Revocations'], ['collect', 'Data collected'],
  ['connect', 'Connections'], ['disconnect', 'Disconnections'], ['pause', 'Pauses'], ['resume', 'Resumes'], ['privacy', 'Privacy'], ['command', 'Commands'],
  ['export', 'Exports'], ['delete', 'Deletions'], ['aggregate', 'Aggregates'],
];

function describe(e: ActivityEntry): string {
  const d = e.detail ?? {};
  const parts: string[] = [];
  if (e.kind === 'collect') parts.push(`${d.events ?? '?'} events, ${d.signals ?? '?'} readings${d.locations ? `, ${d.locations} positions` : ''}`);
  for (const k of ['event', 'what', 'query', 'field', 'oem', 'reason'] as const) if (typeof d[k] === 'string') parts.push(String(d[k]));
  if (e.kind !== 'collect' && typeof d.events === 'number') parts.push(`${d.events} events`);
  return parts.join(' · ');
}

/** Names of the apps behind grantee addresses (entries recorded from the chain carry only the address). */
function useAppNames(entries: ActivityEntry[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const wanted = [...new Set(entries.filter((e) => e.app?.address && !e.app.name).map((e) => e.app!.address!.toLowerCase()))].filter((a) => !(a in names));
  useEffect(() => {
    for (const a of wanted) {
      setNames((n) => ({ ...n, [a]: shortAddress(a) }));
      api<{ license: License }>(`/v1/licenses/grantee/${a}`).then(
        (r) => setNames((n) => ({ ...n, [a]: r.license.dba || r.license.legalName })),
        () => undefined,
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted.join(',')]);
  return names;
}

function toMs(local: string): string {
  return local ? String(new Date(local).getTime()) : '';
}

export function ActivityPage() {
  const [kinds, setKinds] = useState<string[]>([]);
  const [vehicle, setVehicle] = useState('');
  const [app, setApp] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState('');
  const [more, setMore] = useState<ActivityEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [run, busy, error] = useAction();

  const params = () => {
    const p = new URLSearchParams({ limit: '50' });
    if (kinds.length) p.set('kind', kinds.join(','));
    if (vehicle) p.set('vehicle', vehicle);
    if (app) p.set('app', app);
    if (from) p.set('from', toMs(from));
    if (to) p.set('to', toMs(to));
    return p;
  };
  const page = useAsync(async (signal) => {
    const r = await api<{ entries: ActivityEntry[]; nextCursor?: string }>(`/v1/activity?${applied || 'limit=50'}`, { signal });
    setMore([]);
    setCursor(r.nextCursor);
    return r;
  }, [applied], { pollMs: 15_000 });
  const verify = useAsync((signal) => api<{ ok: boolean; entries: number; brokenAt?: number }>('/v1/activity/verify', { signal }), [applied], { pollMs: 30_000 });
  const entries = [...(page.data?.entries ?? []), ...more];
  const names = useAppNames(entries);

  return (
    <Layout title="Activity">
      {verify.data ? (
        verify.data.ok ? (
          <Notice kind="ok">
            <span data-testid="chain-status">Hash chain verified</span>: all {verify.data.entries} entries are in place and unaltered.
          </Notice>
        ) : (
          <Notice kind="warn">
            <span data-testid="chain-status">Hash chain broken</span> at entry {verify.data.brokenAt}: entries from there on may have been altered or removed.
          </Notice>
        )
      ) : null}
      <form
        className="filters card"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(params().toString());
        }}
      >
        <fieldset className="kind-filter">
          <legend>Kinds (none ticked: all)</legend>
          {KINDS.map(([k, title]) => (
            <Checkbox key={k} label={title} checked={kinds.includes(k)} onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))} />
          ))}
        </fieldset>
        <div className="filter-row">
          <TextField label="Vehicle id" inputMode="numeric" value={vehicle} onChange={(e) => setVehicle(e.target.value.replace(/\D/g, ''))} />
          <TextField label="App (license id or address)" value={app} onChange={(e) => setApp(e.target.value.trim())} />
          <TextField label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          <TextField label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <Button type="submit">Apply filters</Button>
      </form>
      <ErrorBox error={page.error ?? error} />
      {page.loading && !page.data ? <Loading what="Loading the activity log" /> : null}
      {page.data && entries.length === 0 ? <p className="muted">Nothing recorded for these filters.</p> : null}
      {entries.length > 0 ? (
        <table className="data activity" data-testid="activity">
          <caption className="sr-only">Activity entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Vehicle</th>
              <th scope="col">App</th>
              <th scope="col">Access used</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq} data-kind={e.kind}>
                <td>{dateTime(e.at)}</td>
                <td>{KINDS.find(([k]) => k === e.kind)?.[1].replace(/s$/, '') ?? e.kind}</td>
                <td>{e.vehicleId ?? ''}</td>
                <td>{e.app ? e.app.name ?? (e.app.address ? names[e.app.address.toLowerCase()] : undefined) ?? (e.app.licenseId ? `license #${e.app.licenseId}` : shortAddress(e.app.address)) : ''}</td>
                <td>{e.privileges?.map((p) => privilege(p).title).join(', ') ?? ''}</td>
                <td>{e.unreadable ? 'unreadable (altered)' : describe(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor ? (
        <Button
          type="button"
          variant="quiet"
          busy={busy}
          onClick={() =>
            void run(async () => {
              const p = new URLSearchParams(applied || 'limit=50');
              p.set('cursor', cursor);
              const r = await api<{ entries: ActivityEntry[]; nextCursor?: string }>(`/v1/activity?${p}`);
              setMore((m) => [...m, ...r.entries]);
              setCursor(r.nextCursor);
            })
          }
        >
          Show older entries
        </Button>
      ) : null}
    </Layout>
  );
}
