// The session for the whole app: who is signed in, the signer that acts for them, and sign-in/out.
// Tokens last an hour; with a local key the session renews itself (a fresh SIWE) before it expires.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Hex } from 'viem';
import { setAuthToken } from '../api/http.ts';
import { injectedSigner, localSigner, type Signer } from '../wallet/signer.ts';
import { siweSignIn } from '../wallet/siwe.ts';
import { loadSession, saveSession, type SignInMethod, type StoredSession } from './session-store.ts';

export interface SessionValue {
  session: StoredSession | undefined;
  /** The signer for the signed-in address; undefined until ready (a browser wallet reconnects lazily). */
  signer(): Promise<Signer>;
  signInWithKey(privateKey: Hex, method: Extract<SignInMethod, 'password' | 'key'>, email?: string): Promise<void>;
  signInWithWallet(): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<StoredSession | undefined>(() => {
    const stored = loadSession();
    const s = stored && (stored.expiresAt > Date.now() + 10_000 || stored.key) ? stored : undefined;
    // Set now, not in an effect: children's effects (their first API calls) run before ours.
    if (s) setAuthToken(s.token);
    return s;
  });

  const signOut = useCallback(() => {
    saveSession(undefined);
    setAuthToken(undefined);
    setSession(undefined);
  }, []);

  const open = useCallback(async (signer: Signer, method: SignInMethod, key?: Hex, email?: string) => {
    const { token, expiresAt } = await siweSignIn(signer);
    const next: StoredSession = { address: signer.address, token, expiresAt, method, ...(key ? { key } : {}), ...(email ? { email } : {}) };
    saveSession(next);
    setAuthToken(token, signOut);
    setSession(next);
  }, [signOut]);

  // Keep the API client's token in step, and renew before expiry when we hold the key.
  useEffect(() => {
    if (!session) return;
    setAuthToken(session.token, signOut);
    if (!session.key) return;
    const due = Math.max(0, session.expiresAt - Date.now() - 5 * 60_000);
    const timer = setTimeout(() => {
      open(localSigner(session.key!, session.method === 'password' ? 'embedded' : 'key'), session.method, session.key, session.email).catch(() => signOut());
    }, due);
    return () => clearTimeout(timer);
  }, [session, open, signOut]);

  const value = useMemo<SessionValue>(() => ({
    session,
    async signer() {
      if (!session) throw new Error('not signed in');
      if (session.key) return localSigner(session.key, session.method === 'password' ? 'embedded' : 'key');
      const s = await injectedSigner();
      if (s.address.toLowerCase() !== session.address.toLowerCase()) throw new Error(`the browser wallet now uses ${s.address}, not ${session.address}; switch back or sign in again`);
      return s;
    },
    signInWithKey: (privateKey, method, email) => open(localSigner(privateKey, method === 'password' ? 'embedded' : 'key'), method, privateKey, email),
    async signInWithWallet() {
      await open(await injectedSigner(), 'wallet');
    },
    signOut,
  }), [session, open, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
