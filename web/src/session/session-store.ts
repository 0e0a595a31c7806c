// The signed-in session, kept in this tab's sessionStorage so a reload (or the OEM login's redirect back)
// does not sign the owner out. A local key (the opened embedded wallet, or a pasted key) is kept there
// too, for as long as the tab lives: closing the tab or signing out forgets it.
import type { Hex } from 'viem';

export type SignInMethod = 'password' | 'wallet' | 'key';

export interface StoredSession {
  address: Hex;
  token: string;
  /** Epoch ms. */
  expiresAt: number;
  method: SignInMethod;
  key?: Hex;
  email?: string;
}

const KEY = 'opendimo.session';

export function loadSession(): StoredSession | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as StoredSession;
    return typeof s.address === 'string' && typeof s.token === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: StoredSession | undefined): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
