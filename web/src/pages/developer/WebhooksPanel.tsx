// Webhooks (DIMO's vehicle triggers): a metric, a CEL condition, a cool-down, a target URL; then the
// vehicles subscribed and each delivery with its result, read with the developer token.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';
import type { DeveloperToken } from './dev-auth.ts';

interface Webhook {
  id: string;
  service?: string;
  metricName?: string;
  condition?: string;
  coolDownPeriod?: number;
  targetURL?: string;
  status?: string;
  description?: string;
  disabledReason?: string | null;
}

interface Delivery {
  id: string;
  at?: number;
  createdAt?: string | number;
  vehicleId?: string | number;
  status?: string | number;
  attempts?: number;
  error?: string | null;
}

function Deliveries({ hook, dev }: { hook: Webhook; dev: DeveloperToken }) {
  const d = useAsync((signal) => api<{ deliveries: Delivery[] } | Delivery[]>(`/v1/webhooks/${hook.id}/deliveries`, { signal, token: dev.accessToken }), [hook.id], { pollMs: 15_000 });
  const list = Array.isArray(d.data) ? d.data : (d.data?.deliveries ?? []);
  return (
    <details>
      <summary>Delivery log</summary>
      <ErrorBox error={d.error} />
      {list.length === 0 ? <p className="muted">No delivery yet.</p> : null}
      <table className="data">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Vehicle</th>
            <th scope="col">Result</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {list.map((x) => (
            <tr key={x.id}>
              <td>{dateTime(typeof x.at === 'number' ? x.at : x.createdAt ? new Date(x.createdAt).getTime() : null)}</td>
              <td>{x.vehicleId ?? ''}</td>
              <td>
                {String(x.status ?? '')} {x.error ? `— ${x.error}` : ''}
              </td>
              <td>{x.attempts ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function WebhooksPanel({ dev }: { dev: DeveloperToken | undefined }) {
  const hooks = useAsync((signal) => (dev ? api<Webhook[] | { webhooks: Webhook[] }>('/v1/webhooks', { signal, token: dev.accessToken }) : Promise.resolve([] as Webhook[])), [dev?.accessToken]);
  const [form, setForm] = useState({ metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: '60', targetURL: '', description: '' });
  const [subscribe, setSubscribe] = useState({ hook: '', tokenId: '' });
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string>();
  if (!dev) return <Notice>Get a developer token in the query explorer first: webhooks belong to the app it authenticates.</Notice>;
  const list = Array.isArray(hooks.data) ? hooks.data : (hooks.data?.webhooks ?? []);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="console-grid">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api('/v1/webhooks', {
              token: dev.accessToken,
              body: { service: 'telemetry.signals', metricName: form.metricName, condition: form.condition, coolDownPeriod: Number(form.coolDownPeriod), targetURL: form.targetURL, description: form.description, status: 'enabled', verificationToken: crypto.randomUUID() },
            });
            setDone('Webhook created.');
            hooks.reload();
          });
        }}
      >
        <h3>New webhook</h3>
        <TextField label="Signal (metric name)" value={form.metricName} onChange={set('metricName')} required />
        <TextField label="Condition (CEL)" value={form.condition} onChange={set('condition')} required />
        <TextField label="Cool-down (seconds)" type="number" min={0} value={form.coolDownPeriod} onChange={set('coolDownPeriod')} />
        <TextField label="Target URL" type="url" value={form.targetURL} onChange={set('targetURL')} required />
        <TextField label="Description" value={form.description} onChange={set('description')} />
        <Button type="submit" busy={busy}>
          Create webhook
        </Button>
      </form>
      <section className="card">
        <h3>Your webhooks</h3>
        <ErrorBox error={hooks.error} />
        {list.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul>
          {list.map((h) => (
            <li key={h.id}>
              <strong>{h.description || h.metricName}</strong> <code>{h.condition}</code> → {h.targetURL} <span className="badge badge-idle">{h.status ?? ''}</span>
              {h.disabledReason ? <span className="muted"> ({h.disabledReason})</span> : null}
              <Deliveries hook={h} dev={dev} />
            </li>
          ))}
        </ul>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await api(`/v1/webhooks/${subscribe.hook}/subscribe/${subscribe.tokenId}`, { method: 'POST', body: {}, token: dev.accessToken });
              setDone(`Vehicle ${subscribe.tokenId} subscribed.`);
            });
          }}
        >
          <TextField label="Webhook id" value={subscribe.hook} onChange={(e) => setSubscribe({ ...subscribe, hook: e.target.value.trim() })} />
          <TextField label="Vehicle id" inputMode="numeric" value={subscribe.tokenId} onChange={(e) => setSubscribe({ ...subscribe, tokenId: e.target.value.trim() })} />
          <Button type="submit" variant="quiet" busy={busy}>
            Subscribe vehicle
          </Button>
        </form>
      </section>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={error} />
    </div>
  );
}
