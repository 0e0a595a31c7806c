// A button that shows it is working (and cannot be pressed twice) while its action runs.
import { useState, type ButtonHTMLAttributes } from 'react';

export function Button({ busy, busyLabel, children, className, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; busyLabel?: string; variant?: string }) {
  const { variant, ...props } = rest as { variant?: string } & typeof rest;
  return (
    <button className={['btn', variant ? `btn-${variant}` : '', className ?? ''].join(' ').trim()} aria-busy={busy || undefined} disabled={busy || props.disabled} {...props}>
      {busy ? (busyLabel ?? 'Working…') : children}
    </button>
  );
}

/** Runs an async action with busy and error state: const [run, busy, error] = useAction(). */
export function useAction(): [<T>(fn: () => Promise<T>) => Promise<T | undefined>, boolean, unknown, (e: unknown) => void] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error, setError];
}
