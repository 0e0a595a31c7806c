// Data retention: how long the node keeps the owner's data, one window for all their vehicles. The
// bounds are checked here as the node checks them, and the node's refusal is shown if it still refuses.
import { useEffect, useState } from 'react';
import { getRetention, setRetention } from '../../api/retention.ts';
import type { RetentionSetting } from '../../api/types.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Button, useAction } from '../../components/Button.tsx';
import { Radio, TextField } from '../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../components/Notice.tsx';

export function describeRetention(days: number | null): string {
  return days === null ? 'Keep everything' : `Delete data older than ${days} ${days === 1 ? 'day' : 'days'}`;
}

function RetentionForm({ initial, onSaved }: { initial: RetentionSetting; onSaved(s: RetentionSetting): void }) {
  const { min, max } = initial;
  const [forever, setForever] = useState(initial.days === null);
  const [text, setText] = useState(initial.days === null ? '' : String(initial.days));
  const [tried, setTried] = useState(false);
  const [note, setNote] = useState<string>();
  const [run, busy, error] = useAction();

  const days = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  const valid = forever || (days >= min && days <= max);
  const wanted = forever ? null : days;
  const dirty = wanted !== initial.days;
  // Shown once something is typed or a save was tried, not while the field is still empty.
  const fieldError = !forever && !valid && (tried || text !== '') ? `A whole number of days from ${min} to ${max}.` : undefined;

  const save = () => {
    setTried(true);
    setNote(undefined);
    if (!valid) return;
    void run(async () => {
      const got = await setRetention(wanted);
      setNote(got.days === null ? 'Saved. Your data is kept until you delete it.' : `Saved. Data older than ${got.days} ${got.days === 1 ? 'day' : 'days'} will be deleted within about an hour.`);
      onSaved(got);
    });
  };

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <fieldset>
        <legend>How long to keep your data</legend>
        <Radio name="retention" label="Keep everything" hint="Until you delete it yourself." checked={forever} onChange={() => setForever(true)} />
        <Radio name="retention" label="Delete data older than a number of days" checked={!forever} onChange={() => setForever(false)} />
        <TextField
          label="Days to keep"
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={text}
          hint={`From ${min} to ${max} (about ten years).`}
          error={fieldError}
          onChange={(e) => {
            setForever(false);
            setText(e.target.value);
          }}
        />
      </fieldset>
      {note ? <Notice kind="ok">{note}</Notice> : null}
      <ErrorBox error={error} title="The node did not save it" />
      <Button type="submit" busy={busy} busyLabel="Saving…" disabled={!dirty}>
        Save retention
      </Button>
    </form>
  );
}

export function RetentionSection() {
  const loaded = useAsync((signal) => getRetention(signal), []);
  const [current, setCurrent] = useState<RetentionSetting>();
  useEffect(() => {
    if (loaded.data) setCurrent(loaded.data);
  }, [loaded.data]);

  return (
    <section className="card" aria-labelledby="retention-h">
      <h2 id="retention-h">Data retention</h2>
      <p>
        Data older than the window you choose is deleted for good within about an hour, from all your vehicles, and from then on as it ages.
      </p>
      {loaded.error ? <ErrorBox error={loaded.error} title="Could not read your retention setting" /> : null}
      {current ? (
        <>
          <p>
            Now: <strong data-testid="retention-current">{describeRetention(current.days)}</strong>
          </p>
          <RetentionForm initial={current} onSaved={setCurrent} />
        </>
      ) : loaded.error ? null : (
        <Loading what="Loading your retention setting" />
      )}
    </section>
  );
}
