// Destructive actions ask the person to type a phrase; the button stays disabled until it matches.
import { useState } from 'react';
import { Button } from './Button.tsx';
import { TextField } from './Field.tsx';

export function TypedConfirm({ phrase, action, busy, onConfirm }: { phrase: string; action: string; busy?: boolean; onConfirm(phrase: string): void }) {
  const [typed, setTyped] = useState('');
  return (
    <form
      className="typed-confirm"
      onSubmit={(e) => {
        e.preventDefault();
        if (typed.trim() === phrase) onConfirm(phrase);
      }}
    >
      <TextField label={<>Type <code>{phrase}</code> to confirm</>} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
      <Button type="submit" variant="danger" disabled={typed.trim() !== phrase} busy={busy ?? false} busyLabel="Deleting…">
        {action}
      </Button>
    </form>
  );
}
