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

/** src/webhooks/webhook-service.ts */
interface Webhook {
  id: string;
  service: string;
  metricName: string;
  condition: string;
  coolDownPeriod: number;
  targetURL: string;
  status: string;
  description: string | null;
  displayName: string | null;
  failureCount: number;
  disabledReason: string | null;
  subscribedVehicles: number;
}

interface Delivery {
  id: string;
  tokenId: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  createdAt: string;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

function Deliveries({ hook, dev }: { hook: Webhook; dev: DeveloperToken }) {
  const d = useAsync((signal) => api<{ deliveries: Delivery[] }>(`/v1/webhooks/${hook.id}/deliveries?limit=50`, { signal, token: dev.accessToken }), [hook.id], { pollMs: 15_000 });
  const list = d.data?.deliveries ?? [];
  return (
    <details>
      <summary>Delivery log</summary>
      <ErrorBox error={d.error} />
      {list.length === 0 ? <p className="muted">No delivery yet.</p> : null}
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Fired</th>
            <th scope="col">Vehicle</th>
            <th scope="col">Result</th>
            <th scope="col">Attempts</th>
            <th scope="col">Next attempt</th>
          </tr>
        </thead>
        <tbody>
          {list.map((x) => (
            <tr key={x.id}>
              <td>{dateTime(Date.parse(x.createdAt))}</td>
              <td>{x.tokenId}</td>
              <td>
                {x.status}
                {x.lastStatus ? ` (HTTP ${x.lastStatus})` : ''} {x.lastError ? `— ${x.lastError}` : ''}
              </td>
              <td>{x.attempts}</td>
              <td>{x.nextAttemptAt ? dateTime(Date.parse(x.nextAttemptAt)) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function WebhooksPanel({ dev }: { dev: DeveloperToken | undefined }) {
  const hooks = useAsync((signal) => (dev ? api<Webhook[]>('/v1/webhooks', { signal, token: dev.accessToken }) : Promise.resolve([] as Webhook[])), [dev?.accessToken]);
  const [form, setForm] = useState({ metricName: 'speed', condition: 'valueNumber > 100', coolDownPeriod: '60', targetURL: '', verificationToken: '', description: '' });
  const [secret, setSecret] = useState<string>();
  const [subscribe, setSubscribe] = useState({ hook: '', tokenId: '' });
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string>();
  if (!dev) return <Notice>Get a developer token in the query explorer first: webhooks belong to the app it authenticates.</Notice>;
  const list = hooks.data ?? [];
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="console-grid">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const made = await api<{ id: string; signingSecret?: string }>('/v1/webhooks', {
              token: dev.accessToken,
              body: {
                service: 'telemetry.signals', metricName: form.metricName, condition: form.condition, coolDownPeriod: Number(form.coolDownPeriod), targetURL: form.targetURL,
                verificationToken: form.verificationToken, status: 'enabled', ...(form.description ? { description: form.description } : {}),
              },
            });
            setSecret(made.signingSecret);
            setDone(`Webhook ${made.id} created.`);
            hooks.reload();
          });
        }}
      >
        <h3>New webhook</h3>
        <TextField label="Signal (metric name)" value={form.metricName} onChange={set('metricName')} required />
        <TextField label="Condition (CEL)" value={form.condition} onChange={set('condition')} required />
        <TextField label="Cool-down (seconds)" type="number" min={0} value={form.coolDownPeriod} onChange={set('coolDownPeriod')} />
        <TextField label="Target URL" type="url" value={form.targetURL} onChange={set('targetURL')} required />
        <TextField
          label="Verification token"
          hint='The node first POSTs {"verification":"test"} to the target, which must answer 200 with this token as its body.'
          value={form.verificationToken}
          onChange={set('verificationToken')}
          required
        />
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
              <strong>{h.description || h.displayName || h.metricName}</strong> <code>{h.id}</code>: <code>{h.condition}</code> on {h.metricName} → {h.targetURL}{' '}
              <span className={`badge badge-${h.status === 'enabled' ? 'ok' : 'bad'}`}>{h.status}</span> <span className="muted">{h.subscribedVehicles} vehicles</span>
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
      {secret ? (
        <Notice kind="warn">
          Signing secret (shown once; deliveries carry X-DIMO-Signature, an HMAC-SHA256 with it): <code data-testid="webhook-secret">{secret}</code>
        </Notice>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
