// Every way into the dashboard: email and password (an embedded wallet, opened in this browser), a new
// account, the browser's own wallet (Sign-In with Ethereum), or a private key (developers and the
// licensing team on a dev node). All end in the same owner session.
import { useState } from 'react';
import type { Hex } from 'viem';
import { Button, useAction } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { ErrorBox, Notice } from '../../components/Notice.tsx';
import { Tabs, TabPanel } from '../../components/Tabs.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import { signIn, signUp } from '../../wallet/embedded-wallet.ts';
import { hasInjectedWallet } from '../../wallet/signer.ts';

const TABS = [
  { id: 'email', title: 'Email' },
  { id: 'create', title: 'Create account' },
  { id: 'wallet', title: 'Browser wallet' },
  { id: 'key', title: 'Private key' },
];

function Progress({ value }: { value: number | undefined }) {
  if (value === undefined) return null;
  return (
    <p className="kdf-progress">
      <label>
        Unlocking your wallet on this device <progress max={1} value={value} />
      </label>
    </p>
  );
}

function EmailSignIn({ onDone }: { onDone?: () => void }) {
  const { signInWithKey } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [progress, setProgress] = useState<number>();
  const [run, busy, error] = useAction();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const { privateKey } = await signIn(email, password, setProgress);
          await signInWithKey(privateKey, 'password', email.trim().toLowerCase());
          onDone?.();
        }).finally(() => setProgress(undefined));
      }}
    >
      <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <TextField label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      <Progress value={progress} />
      <ErrorBox error={error} />
      <Button type="submit" busy={busy} busyLabel="Signing in…">
        Sign in
      </Button>
    </form>
  );
}

function CreateAccount({ onDone }: { onDone?: () => void }) {
  const { signInWithKey } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [progress, setProgress] = useState<number>();
  const [run, busy, error] = useAction();
  const mismatch = again.length > 0 && again !== password ? 'The passwords differ.' : undefined;
  const short = password.length > 0 && password.length < 10 ? 'Use at least 10 characters.' : undefined;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (mismatch || short) return;
        void run(async () => {
          const { privateKey } = await signUp(email, password, setProgress);
          await signInWithKey(privateKey, 'password', email.trim().toLowerCase());
          onDone?.();
        }).finally(() => setProgress(undefined));
      }}
    >
      <Notice>
        Your account gets its own wallet, created in this browser. Its key is locked with your password before it is stored, so this node can never use it — and
        cannot reset it: if you forget the password, make a new account.
      </Notice>
      <TextField label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <TextField label="Password" type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} error={short} hint="At least 10 characters." />
      <TextField label="Password again" type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} error={mismatch} />
      <Progress value={progress} />
      <ErrorBox error={error} />
      <Button type="submit" busy={busy} busyLabel="Creating your account…">
        Create account
      </Button>
    </form>
  );
}

function WalletSignIn({ onDone }: { onDone?: () => void }) {
  const { signInWithWallet } = useSession();
  const [run, busy, error] = useAction();
  const present = hasInjectedWallet();
  return (
    <div>
      <p>Sign in with the wallet in your browser: it asks you to sign a message (free, no transaction).</p>
      {!present ? <Notice kind="warn">No browser wallet was found on this page.</Notice> : null}
      <ErrorBox error={error} />
      <Button type="button" disabled={!present} busy={busy} busyLabel="Waiting for your wallet…" onClick={() => void run(async () => {
        await signInWithWallet();
        onDone?.();
      })}>
        Sign in with my wallet
      </Button>
    </div>
  );
}

function KeySignIn({ onDone }: { onDone?: () => void }) {
  const { signInWithKey } = useSession();
  const [key, setKey] = useState('');
  const [run, busy, error] = useAction();
  const valid = /^0x[0-9a-fA-F]{64}$/.test(key.trim());
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        void run(async () => {
          await signInWithKey(key.trim() as Hex, 'key');
          onDone?.();
        });
      }}
    >
      <Notice kind="warn">
        For developers and the licensing team on a development node. The key stays in this browser tab and is forgotten when you sign out or close it. On the
        embedded dev chain the licensing team is the chain's first dev account.
      </Notice>
      <TextField label="Private key (0x…)" type="password" autoComplete="off" spellCheck={false} value={key} onChange={(e) => setKey(e.target.value)} error={key && !valid ? 'A private key is 0x and 64 hex digits.' : undefined} />
      <ErrorBox error={error} />
      <Button type="submit" disabled={!valid} busy={busy} busyLabel="Signing in…">
        Sign in with this key
      </Button>
    </form>
  );
}

export function SignInForms({ onDone }: { onDone?: () => void }) {
  const [tab, setTab] = useState('email');
  return (
    <section className="card signin">
      <Tabs tabs={TABS} active={tab} onChange={setTab} label="Ways to sign in" idPrefix="signin" />
      <TabPanel id="email" active={tab} idPrefix="signin">
        <EmailSignIn {...(onDone ? { onDone } : {})} />
      </TabPanel>
      <TabPanel id="create" active={tab} idPrefix="signin">
        <CreateAccount {...(onDone ? { onDone } : {})} />
      </TabPanel>
      <TabPanel id="wallet" active={tab} idPrefix="signin">
        <WalletSignIn {...(onDone ? { onDone } : {})} />
      </TabPanel>
      <TabPanel id="key" active={tab} idPrefix="signin">
        <KeySignIn {...(onDone ? { onDone } : {})} />
      </TabPanel>
    </section>
  );
}
