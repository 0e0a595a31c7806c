// A license at a glance: names, status and published reason, stake against requirement, trust ratio.
import type { License } from '../api/types.ts';
import { dateTime, dimo, ratio } from '../app/format.ts';

export function LicenseCard({ license, children }: { license: License; children?: React.ReactNode }) {
  const tone = license.active ? 'ok' : license.status === 'active' ? 'warn' : 'bad';
  return (
    <section className="card license-card" aria-label={`License ${license.licenseId}`}>
      <h3>
        #{license.licenseId} {license.legalName} {license.dba ? <span className="muted">({license.dba})</span> : null}
      </h3>
      <p>
        <span className={`badge badge-${tone}`}>{license.active ? 'active: may receive data' : license.status === 'active' ? 'active, but understaked' : license.status}</span>{' '}
        <span className="muted">{license.kind} license, issued {dateTime(license.issuedAt)}</span>
      </p>
      <dl className="facts">
        <dt>Holder</dt>
        <dd>
          <code>{license.holder}</code>
        </dd>
        <dt>Stake</dt>
        <dd>
          {dimo(license.stake)} of {dimo(license.required)} required
        </dd>
        <dt>Trust ratio</dt>
        <dd>
          <strong>{ratio(license.trustRatio)}</strong>
        </dd>
        {license.statusReason ? (
          <>
            <dt>Last decision</dt>
            <dd>{license.statusReason}</dd>
          </>
        ) : null}
        {license.openChallenges ? (
          <>
            <dt>Open challenges</dt>
            <dd>{license.openChallenges}</dd>
          </>
        ) : null}
      </dl>
      {children}
    </section>
  );
}
