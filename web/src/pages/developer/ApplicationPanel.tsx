// Asking the licensing team for a license (the names entered here are what owners see at opt-in), and
// following one's applications and the team's published decisions.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { Application } from '../../api/types.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { SelectField, TextArea, TextField } from '../../components/Field.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';

export function ApplicationPanel({ onChange }: { onChange?: () => void }) {
  const apps = useAsync((signal) => api<{ applications: Application[] }>('/v1/licensing/applications', { signal }), []);
  const [form, setForm] = useState({ kind: 'app', legalName: '', dba: '', website: '', supportEmail: '', note: '' });
  const [run, busy, error] = useAction();
  const [sent, setSent] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const mine = apps.data?.applications ?? [];
  return (
    <div className="console-grid">
      <form
        className="card"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api('/v1/licensing/applications', { body: form });
            setSent(true);
            apps.reload();
            onChange?.();
          });
        }}
      >
        <h3>Apply for a license</h3>
        <p className="muted">The licensing team reviews applications and issues the license to your signed-in address. Owners see these names when you ask for access.</p>
        <SelectField label="Kind" value={form.kind} onChange={set('kind')}>
          <option value="app">App (reads owners' data with their consent)</option>
          <option value="client">Client</option>
          <option value="node">Node operator</option>
        </SelectField>
        <TextField label="Legal name" required value={form.legalName} onChange={set('legalName')} />
        <TextField label="Doing business as" value={form.dba} onChange={set('dba')} />
        <TextField label="Website" type="url" value={form.website} onChange={set('website')} />
        <TextField label="Support email" type="email" value={form.supportEmail} onChange={set('supportEmail')} />
        <TextArea label="What you will do with owners' data" value={form.note} onChange={set('note')} />
        {sent ? <Notice kind="ok">Application sent.</Notice> : null}
        <ErrorBox error={error} />
        <Button type="submit" busy={busy} busyLabel="Sending…">
          Send application
        </Button>
      </form>
      <section className="card">
        <h3>Your applications</h3>
        <ErrorBox error={apps.error} />
        {mine.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul>
          {mine.map((a) => (
            <li key={a.id}>
              <strong>{a.legalName}</strong> ({a.kind}) — {a.status}
              {a.licenseId ? `, license #${a.licenseId}` : ''}
              {a.decisionReason && a.decisionReason !== a.status ? `: ${a.decisionReason}` : ''} <span className="muted">{dateTime(a.createdAt)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
