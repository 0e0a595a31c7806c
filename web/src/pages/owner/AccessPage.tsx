// App access: every grant on the owner's vehicles (who, what, until when, for what purpose), each with
// Revoke; and requests opened on this device that still wait for a decision.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { OwnerGrant } from '../../api/types.ts';
import { dateTime, dimo, ratio, shortAddress } from '../../app/format.ts';
import { Layout } from '../../app/Layout.tsx';
import { Link } from '../../app/Link.tsx';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { revokeAccess } from '../../consent/grant-actions.ts';
import { inbox } from '../../consent/inbox.ts';
import { privilege } from '../../consent/privileges.ts';
import { useSession } from '../../session/SessionProvider.tsx';

function GrantRow({ g, onRevoked }: { g: OwnerGrant; onRevoked(): void }) {
  const { signer } = useSession();
  const [run, busy, error] = useAction();
  const name = g.license ? g.license.dba || g.license.legalName : shortAddress(g.grantee);
  return (
    <li className="card grant">
      <h3>
        {name} <span className="muted">· vehicle {g.vehicleId}</span>
      </h3>
      <dl className="facts">
        {g.license ? (
          <>
            <dt>Legal name</dt>
            <dd>{g.license.legalName}</dd>
            <dt>License</dt>
            <dd>
              #{g.license.licenseId} {g.license.status}, trust ratio {ratio(g.license.trustRatio)} ({dimo(g.license.stake)} staked)
            </dd>
          </>
        ) : (
          <>
            <dt>Grantee</dt>
            <dd>{g.grantee} (no license on this node)</dd>
          </>
        )}
        <dt>Access</dt>
        <dd>{g.privileges.map((p) => privilege(p).title).join(', ')}</dd>
        {g.document ? (
          <>
            <dt>Purpose</dt>
            <dd>{g.document.purpose}</dd>
          </>
        ) : null}
        <dt>{g.active ? 'Until' : 'Expired'}</dt>
        <dd>{dateTime(g.expiration * 1000)}</dd>
      </dl>
      <ErrorBox error={error} />
      <Button
        type="button"
        variant="danger"
        busy={busy}
        busyLabel="Revoking…"
        aria-label={`Revoke ${name}'s access to vehicle ${g.vehicleId}`}
        onClick={() =>
          void run(async () => {
            await revokeAccess(await signer(), g.vehicleId, g.grantee);
            onRevoked();
          })
        }
      >
        Revoke
      </Button>
    </li>
  );
}

export function AccessPage() {
  const grants = useAsync((signal) => api<{ grants: OwnerGrant[] }>('/v1/owner/grants', { signal }), []);
  const [revoked, setRevoked] = useState<string>();
  const pending = inbox().filter((i) => i.status === 'pending');
  return (
    <Layout title="App access">
      <p>Apps see your data only through these grants. Revoking one takes effect at once: the app's next request is refused.</p>
      {revoked ? <Notice kind="ok">{revoked}</Notice> : null}
      {pending.length > 0 ? (
        <section aria-labelledby="inbox-h">
          <h2 id="inbox-h">Requests waiting for you</h2>
          <ul>
            {pending.map((i) => (
              <li key={i.encoded}>
                <Link href={`/consent?request=${i.encoded}`}>Request from license #{i.request.licenseId}</Link> <span className="muted">received {dateTime(i.receivedAt)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="grants-h">
        <h2 id="grants-h">Access you granted</h2>
        <ErrorBox error={grants.error} />
        {grants.loading && !grants.data ? <Loading what="Loading grants" /> : null}
        {grants.data && grants.data.grants.length === 0 ? <p className="muted">No app has access to your vehicles.</p> : null}
        <ul className="cards" aria-label="Grants">
          {grants.data?.grants.map((g) => (
            <GrantRow
              key={`${g.vehicleId}-${g.grantee}`}
              g={g}
              onRevoked={() => {
                setRevoked(`Access revoked for vehicle ${g.vehicleId}.`);
                grants.reload();
              }}
            />
          ))}
        </ul>
      </section>
    </Layout>
  );
}
