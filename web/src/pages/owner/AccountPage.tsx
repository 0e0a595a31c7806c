// Data & account: download everything (one zip of JSON and CSV, with a progress bar), choose how long
// the node keeps the data (RetentionSection), and delete the whole account — every vehicle's data, the
// activity log, the email account and its sealed wallet — then the node's own count of what remains.
import { useState } from 'react';
import { api, request } from '../../api/http.ts';
import type { OwnerGrant } from '../../api/types.ts';
import { Layout } from '../../app/Layout.tsx';
import { Button, useAction } from '../../components/Button.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';
import { RemainingTable } from '../../components/RemainingTable.tsx';
import { TypedConfirm } from '../../components/TypedConfirm.tsx';
import { revokeAccess } from '../../consent/grant-actions.ts';
import { useSession } from '../../session/SessionProvider.tsx';
import { RetentionSection } from './RetentionSection.tsx';

function ExportSection() {
  const [run, busy, error] = useAction();
  const [phase, setPhase] = useState<{ label: string; value?: number }>();
  const [done, setDone] = useState<string>();
  const download = () =>
    run(async () => {
      setDone(undefined);
      setPhase({ label: 'Preparing your archive: the node decrypts your data for you…' });
      const res = await request('/v1/owner/export.zip');
      const total = Number(res.headers.get('content-length') ?? 0);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'opendimo-export.zip';
      const reader = res.body!.getReader();
      const parts: Uint8Array[] = [];
      let got = 0;
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        parts.push(value);
        got += value.length;
        setPhase({ label: `Downloading ${(got / 1024).toFixed(0)} KiB${total ? ` of ${(total / 1024).toFixed(0)} KiB` : ''}`, ...(total ? { value: got / total } : {}) });
      }
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: 'application/zip' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30_000);
      setPhase(undefined);
      setDone(`Downloaded ${name} (${(got / 1024).toFixed(0)} KiB).`);
    }).finally(() => setPhase(undefined));
  return (
    <section className="card" aria-labelledby="export-h">
      <h2 id="export-h">Download everything</h2>
      <p>One zip file: your readings and positions as CSV, your trips' events, privacy settings, grants and the consent documents you signed, your glovebox, and your whole activity log as JSON. A README inside explains each file.</p>
      {phase ? (
        <p role="status">
          <label>
            {phase.label} <progress max={1} {...(phase.value !== undefined ? { value: phase.value } : {})} />
          </label>
        </p>
      ) : null}
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={error} />
      <Button type="button" busy={busy} busyLabel="Preparing your download…" onClick={() => void download()}>
        Download my data
      </Button>
    </section>
  );
}

function DeleteAccountSection() {
  const { signer, signOut } = useSession();
  const [run, busy, error] = useAction();
  const [step, setStep] = useState<string>();
  const [result, setResult] = useState<{ remaining: Record<string, number> }>();
  const erase = () =>
    run(async () => {
      const { grants } = await api<{ grants: OwnerGrant[] }>('/v1/owner/grants');
      const s = await signer();
      for (const [i, g] of grants.entries()) {
        setStep(`Revoking app access ${i + 1} of ${grants.length}…`);
        await revokeAccess(s, g.vehicleId, g.grantee);
      }
      setStep('Deleting everything…');
      setResult(await api('/v1/owner/account', { method: 'DELETE', body: { confirm: 'delete my account' } }));
      setStep(undefined);
    });
  if (result) {
    const clean = Object.values(result.remaining).every((n) => n === 0);
    return (
      <section className="card" aria-live="polite">
        <Notice kind={clean ? 'ok' : 'warn'}>{clean ? 'Your account is deleted. Nothing of it remains on this node.' : 'Deleted, but something remains: see below.'}</Notice>
        <RemainingTable remaining={result.remaining} caption="What this node still holds for your address" />
        <Button type="button" onClick={signOut}>
          Finish and sign out
        </Button>
      </section>
    );
  }
  return (
    <section className="card danger" aria-labelledby="delete-h">
      <h2 id="delete-h">Delete my account</h2>
      <p>Revokes every app's access, disconnects every car, deletes all stored data (destroying its keys), your glovebox, your activity log and your email sign-in with its wallet. Your vehicle tokens stay on chain, empty.</p>
      {step ? <p role="status">{step}</p> : null}
      <ErrorBox error={error} />
      <TypedConfirm phrase="delete my account" action="Delete my account" busy={busy} onConfirm={() => void erase()} />
    </section>
  );
}

export function AccountPage() {
  const { session } = useSession();
  return (
    <Layout title="Your data and account">
      <p>
        Signed in as <code>{session?.address}</code>
        {session?.email ? ` (${session.email}, with a wallet sealed by your password)` : session?.method === 'wallet' ? ' with your browser wallet' : ''}.
      </p>
      <ExportSection />
      <RetentionSection />
      <DeleteAccountSection />
    </Layout>
  );
}
