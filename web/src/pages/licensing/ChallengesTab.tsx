// Challenges against licensees and their rulings; the arbiter upholds (slashing stake, optionally paying
// affected owners through a Merkle root) or rejects, with a ruling document.
import { useState } from 'react';
import { parseUnits, zeroHash } from 'viem';
import { api } from '../../api/http.ts';
import type { Challenge } from '../../api/types.ts';
import { dateTime, dimo } from '../../app/format.ts';
import { useAsync } from '../../app/useAsync.ts';
import { CHALLENGES_ABI } from '../../chain/abis.ts';
import { sendContractTx } from '../../chain/contract-tx.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import type { Roles } from './LicensingPage.tsx';

function Ruling({ c, onDone }: { c: Challenge; onDone(m: string): void }) {
  const { signer } = useSession();
  const [slash, setSlash] = useState('0');
  const [uri, setUri] = useState('');
  const [run, busy, error] = useAction();
  const tx = (fn: 'uphold' | 'reject') =>
    run(async () => {
      const args = fn === 'uphold' ? [BigInt(c.challengeId), parseUnits(slash || '0', 18), 0n, zeroHash, uri] : [BigInt(c.challengeId), uri];
      await sendContractTx(await signer(), 'Challenges', CHALLENGES_ABI, fn, args);
      onDone(`Challenge ${c.challengeId} ${fn === 'uphold' ? 'upheld' : 'rejected'}.`);
    });
  return (
    <form className="ruling" onSubmit={(e) => e.preventDefault()}>
      <TextField label="Ruling document (URI)" value={uri} onChange={(e) => setUri(e.target.value)} required />
      <TextField label="Slash (DIMO), if upheld" inputMode="decimal" value={slash} onChange={(e) => setSlash(e.target.value)} />
      <ErrorBox error={error} />
      <div className="actions">
        <Button type="button" variant="danger" disabled={!uri} busy={busy} onClick={() => void tx('uphold')}>
          Uphold
        </Button>
        <Button type="button" variant="quiet" disabled={!uri} busy={busy} onClick={() => void tx('reject')}>
          Reject
        </Button>
      </div>
    </form>
  );
}

export function ChallengesTab({ roles }: { roles: Roles }) {
  const list = useAsync((signal) => api<{ challenges: Challenge[] }>('/v1/licensing/challenges', { signal }), []);
  const [done, setDone] = useState<string>();
  return (
    <div>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading what="Loading challenges" /> : null}
      {list.data && list.data.challenges.length === 0 ? <p className="muted">No challenge has been opened. Any DIMO holder may open one with <code>opendimo license challenge</code>.</p> : null}
      <ul className="cards">
        {list.data?.challenges.map((c) => (
          <li key={c.challengeId} className="card">
            <h3>
              Challenge {c.challengeId} against license #{c.licenseId} {c.legalName ? `(${c.legalName})` : ''}
            </h3>
            <dl className="facts">
              <dt>Status</dt>
              <dd>{c.status}</dd>
              <dt>Challenger</dt>
              <dd>
                <code>{c.challenger}</code>, deposit {dimo(c.deposit)}
              </dd>
              <dt>Grounds</dt>
              <dd>{c.reasonUri}</dd>
              <dt>Opened</dt>
              <dd>{dateTime(c.openedAt)}</dd>
              {c.status !== 'open' ? (
                <>
                  <dt>Ruling</dt>
                  <dd>
                    {c.rulingUri} ({dateTime(c.decidedAt)}){c.status === 'upheld' ? `: ${dimo(c.slashed)} slashed, ${dimo(c.burned)} burned, ${dimo(c.ownersTotal)} to owners` : ''}
                  </dd>
                </>
              ) : null}
            </dl>
            {c.status === 'open' && roles.arbiter ? (
              <Ruling
                c={c}
                onDone={(m) => {
                  setDone(m);
                  list.reload();
                }}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
