// A license's API keys (signer addresses allowed to get developer tokens for it, each until an expiry)
// and redirect URIs (the domains it may authenticate for). Changes are transactions from the holder's key.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { License } from '../../api/types.ts';
import { dateTime } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { LICENSE_SIGNERS_ABI } from '../../chain/abis.ts';
import { sendContractTx } from '../../chain/contract-tx.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';
import { useSession } from '../../session/SessionProvider.tsx';

interface Keys {
  deployed: boolean;
  signers: Array<{ address: string; expiresAt: number; active: boolean }>;
  redirectUris: string[];
}

export function KeysPanel({ license }: { license: License }) {
  const { session, signer } = useSession();
  const keys = useAsync((signal) => api<Keys>(`/v1/licenses/${license.licenseId}/keys`, { signal }), [license.licenseId]);
  const [newSigner, setNewSigner] = useState(session?.address ?? '');
  const [days, setDays] = useState('365');
  const [uri, setUri] = useState(window.location.origin);
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string>();
  const holder = session?.address.toLowerCase() === license.holder;
  const tx = (what: string, fn: string, args: readonly unknown[]) =>
    run(async () => {
      const r = await sendContractTx(await signer(), 'LicenseSigners', LICENSE_SIGNERS_ABI, fn, args);
      setDone(`${what} (tx ${r.txHash.slice(0, 10)}…)`);
      keys.reload();
    });
  if (keys.data && !keys.data.deployed) return <Notice kind="warn">This node's chain has no LicenseSigners contract yet: API keys cannot be managed here.</Notice>;
  return (
    <div className="console-grid">
      <section className="card">
        <h3>API keys</h3>
        <p className="muted">Addresses that may answer the web3 challenge for this license. Keep their private keys on your servers.</p>
        <ErrorBox error={keys.error} />
        <ul>
          {keys.data?.signers.map((s) => (
            <li key={s.address}>
              <code>{s.address}</code> {s.active ? `until ${dateTime(s.expiresAt)}` : <span className="badge badge-bad">expired</span>}{' '}
              {holder ? (
                <button type="button" className="link" disabled={busy} onClick={() => void tx('Key disabled', 'disableSigner', [BigInt(license.licenseId), s.address])}>
                  Disable<span className="sr-only"> key {s.address}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        {keys.data && keys.data.signers.length === 0 ? <p className="muted">No key yet.</p> : null}
        {holder ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const exp = BigInt(Math.floor(Date.now() / 1000) + Number(days) * 86_400);
              void tx('Key enabled', 'enableSigner', [BigInt(license.licenseId), newSigner, exp]);
            }}
          >
            <TextField label="Signer address" value={newSigner} onChange={(e) => setNewSigner(e.target.value.trim())} pattern="0x[0-9a-fA-F]{40}" required />
            <TextField label="Valid for (days)" type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
            <Button type="submit" busy={busy}>
              Enable key
            </Button>
          </form>
        ) : (
          <p className="muted">Only the license holder changes keys.</p>
        )}
      </section>
      <section className="card">
        <h3>Redirect URIs</h3>
        <p className="muted">Domains your app signs in from; a developer token is issued only for these.</p>
        <ul>
          {keys.data?.redirectUris.map((u) => (
            <li key={u}>
              <code>{u}</code>{' '}
              {holder ? (
                <button type="button" className="link" disabled={busy} onClick={() => void tx('Redirect URI removed', 'setRedirectUri', [BigInt(license.licenseId), u, false])}>
                  Remove<span className="sr-only"> {u}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
        {keys.data && keys.data.redirectUris.length === 0 ? <p className="muted">None yet.</p> : null}
        {holder ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void tx('Redirect URI added', 'setRedirectUri', [BigInt(license.licenseId), uri, true]);
            }}
          >
            <TextField label="Redirect URI" value={uri} onChange={(e) => setUri(e.target.value.trim())} required />
            <Button type="submit" busy={busy}>
              Add redirect URI
            </Button>
          </form>
        ) : null}
      </section>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={error} />
    </div>
  );
}
