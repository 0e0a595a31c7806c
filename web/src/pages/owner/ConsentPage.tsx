// An app asks for access. Everything the founding documents require is on one page: who the grantee is
// (legal name and DBA, from its license), the identity data and telemetry streams with their frequency,
// the purpose, the duration, and the grantee's stake and trust ratio. Approving signs a consent document
// and a grant for each chosen vehicle (in this browser); the node relays them.
import { useEffect, useMemo, useState } from 'react';
import { api } from '../../api/http.ts';
import type { License, VehicleSummary } from '../../api/types.ts';
import { dateTime, dimo, ratio, signalLabel } from '../../app/format.ts';
import { Layout } from '../../app/Layout.tsx';
import { Link } from '../../app/Link.tsx';
import { useLocation } from '../../app/router.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { Checkbox } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { decodeRequest, type ConsentRequest } from '../../consent/consent-request.ts';
import { grantAccess } from '../../consent/grant-actions.ts';
import { remember, settle } from '../../consent/inbox.ts';
import { privilege } from '../../consent/privileges.ts';
import { useSession } from '../../session/SessionProvider.tsx';

function LicenseFacts({ license }: { license: License }) {
  const enough = license.trustRatio !== null && Number(license.trustRatio) >= 1;
  return (
    <section className="card" aria-labelledby="who-h">
      <h2 id="who-h">Who is asking</h2>
      <dl className="facts">
        <dt>Legal name</dt>
        <dd data-testid="legal-name">{license.legalName}</dd>
        <dt>Doing business as</dt>
        <dd data-testid="dba">{license.dba || '—'}</dd>
        {license.website ? (
          <>
            <dt>Website</dt>
            <dd>{license.website}</dd>
          </>
        ) : null}
        {license.supportEmail ? (
          <>
            <dt>Support</dt>
            <dd>{license.supportEmail}</dd>
          </>
        ) : null}
        <dt>License</dt>
        <dd>
          {license.kind} license #{license.licenseId}, {license.status}
          {license.statusReason ? ` (${license.statusReason})` : ''}
        </dd>
        <dt>Stake</dt>
        <dd>
          {dimo(license.stake)} of {dimo(license.required)} required
        </dd>
        <dt>Trust ratio</dt>
        <dd>
          <strong data-testid="trust-ratio">{ratio(license.trustRatio)}</strong>{' '}
          <span className="muted">(stake ÷ requirement: at 1 or more the app has staked what the protocol asks; a challenge upheld against it can slash that stake and pay affected owners)</span>
        </dd>
        {license.openChallenges > 0 ? (
          <>
            <dt>Open challenges</dt>
            <dd>{license.openChallenges}</dd>
          </>
        ) : null}
      </dl>
      {!license.active ? <Notice kind="warn">This license may not receive owners' data now ({enough ? license.status : 'its stake is below the requirement'}). Approving would share nothing until that changes.</Notice> : null}
    </section>
  );
}

function WhatIsAsked({ req }: { req: ConsentRequest }) {
  const expires = Date.now() + req.durationDays * 86_400_000;
  const identity = ['Make, model and year of the vehicle (public on chain)'];
  if (req.privileges.includes(5)) identity.push('The vehicle identification number (VIN) and your glovebox documents');
  return (
    <section className="card" aria-labelledby="what-h">
      <h2 id="what-h">What they ask for</h2>
      <h3>Access</h3>
      <ul className="privileges">
        {req.privileges.map((id) => {
          const p = privilege(id);
          return (
            <li key={id} className={p.location ? 'location' : ''}>
              <strong>{p.title}</strong> — {p.description}
            </li>
          );
        })}
      </ul>
      <h3>Identity data</h3>
      <ul>
        {identity.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
      <h3>Telemetry streams</h3>
      {req.streams.length === 0 ? (
        <p className="muted">No particular streams listed: every signal the access above covers.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">How often</th>
            </tr>
          </thead>
          <tbody>
            {req.streams.map((s) => (
              <tr key={s.signal}>
                <td>{signalLabel(s.signal)}</td>
                <td>{s.frequency}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Purpose</h3>
      <p data-testid="purpose">{req.purpose}</p>
      <h3>Duration</h3>
      <p>
        {req.durationDays} days — until {dateTime(expires)}. You can revoke it at any time; revocation takes effect at once.
      </p>
    </section>
  );
}

export function ConsentPage() {
  const { query } = useLocation();
  const { signer } = useSession();
  const encoded = query.get('request') ?? '';
  const parsed = useMemo(() => {
    try {
      return { req: decodeRequest(encoded) };
    } catch (e) {
      return { error: e };
    }
  }, [encoded]);
  const req = parsed.req;
  const license = useAsync((signal) => (req ? api<{ license: License }>(`/v1/licenses/${req.licenseId}`, { signal }) : Promise.reject(parsed.error)), [encoded]);
  const granteeLicense = useAsync((signal) => (req ? api<{ license: License }>(`/v1/licenses/grantee/${req.grantee}`, { signal }) : Promise.resolve(undefined)), [encoded]);
  const vehicles = useAsync((signal) => api<{ vehicles: VehicleSummary[] }>('/v1/owner/vehicles', { signal }), []);
  const [chosen, setChosen] = useState<string[]>([]);
  const [done, setDone] = useState<{ vehicles: string[]; txs: string[] } | 'declined'>();
  const [run, busy, error] = useAction();

  useEffect(() => {
    if (req) remember(req);
  }, [req]);
  useEffect(() => {
    const list = vehicles.data?.vehicles ?? [];
    if (list.length === 1) setChosen([list[0]!.tokenId]);
  }, [vehicles.data]);

  if (parsed.error) {
    return (
      <Layout title="Access request">
        <ErrorBox error={parsed.error} />
      </Layout>
    );
  }
  const l = license.data?.license;
  const mismatch = granteeLicense.data && l && granteeLicense.data.license.licenseId !== l.licenseId;
  const granteeUnknown = !!granteeLicense.error;
  const name = l ? l.dba || l.legalName : 'An app';

  const approve = () =>
    run(async () => {
      if (!req) return;
      const s = await signer();
      const expiration = Math.floor(Date.now() / 1000) + req.durationDays * 86_400;
      const txs: string[] = [];
      for (const tokenId of chosen) {
        const r = await grantAccess(s, { tokenId, grantee: req.grantee, privileges: req.privileges, purpose: req.purpose, expiration, streams: req.streams });
        txs.push(r.txHash);
      }
      settle(req, 'approved');
      setDone({ vehicles: chosen, txs });
    });

  return (
    <Layout title={`${name} asks for access to your car's data`}>
      <ErrorBox error={license.error} title="The app's license" />
      {!l && license.loading ? <Loading what="Checking the app's license" /> : null}
      {mismatch || granteeUnknown ? (
        <Notice kind="warn">The address this request would grant access to ({req!.grantee}) does not act for license #{req!.licenseId}. Do not approve it.</Notice>
      ) : null}
      {l ? <LicenseFacts license={l} /> : null}
      {req ? <WhatIsAsked req={req} /> : null}
      {done === 'declined' ? <Notice>Declined. Nothing was shared.</Notice> : null}
      {done && done !== 'declined' ? (
        <Notice kind="ok">
          Access granted to {name} for {done.vehicles.length === 1 ? `vehicle ${done.vehicles[0]}` : `${done.vehicles.length} vehicles`}. See and revoke it under{' '}
          <Link href="/access">App access</Link>; every read by the app appears in your <Link href="/activity">activity log</Link>.
        </Notice>
      ) : null}
      {!done && req && l ? (
        <section className="card" aria-labelledby="decide-h">
          <h2 id="decide-h">Your decision</h2>
          {vehicles.data && vehicles.data.vehicles.length === 0 ? <p>You have no vehicle to share yet.</p> : null}
          <fieldset>
            <legend>Share these vehicles</legend>
            {vehicles.data?.vehicles.map((v) => (
              <Checkbox
                key={v.tokenId}
                label={`${v.year} ${v.make} ${v.model} (vehicle ${v.tokenId})`}
                checked={chosen.includes(v.tokenId)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, v.tokenId] : chosen.filter((c) => c !== v.tokenId))}
              />
            ))}
          </fieldset>
          <ErrorBox error={error} />
          <div className="actions">
            <Button type="button" disabled={chosen.length === 0 || !!mismatch || granteeUnknown} busy={busy} busyLabel="Signing and granting…" onClick={() => void approve()}>
              Approve
            </Button>
            <Button
              type="button"
              variant="quiet"
              disabled={busy}
              onClick={() => {
                settle(req, 'declined');
                setDone('declined');
              }}
            >
              Decline
            </Button>
          </div>
        </section>
      ) : null}
    </Layout>
  );
}
