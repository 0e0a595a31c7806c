// Sign-In with Ethereum against this node: challenge → the signer signs it → the owner token.
import { api } from '../api/http.ts';
import type { Signer } from './signer.ts';

export async function siweSignIn(signer: Signer): Promise<{ token: string; expiresAt: number }> {
  const challenge = await api<{ message: string }>('/v1/owner/auth/challenge', { body: { address: signer.address }, token: null });
  const signature = await signer.signMessage(challenge.message);
  return api<{ token: string; expiresAt: number }>('/v1/owner/auth/verify', { body: { message: challenge.message, signature }, token: null });
}
