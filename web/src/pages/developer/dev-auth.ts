// How an app authenticates, DIMO's way, done from the console with the signed-in key: a web3 challenge
// for a developer token (client id = the address acting for the license; the signer must be one of the
// license's API keys; the domain one of its redirect URIs), then a token exchange for a vehicle token.
import { api } from '../../api/http.ts';
import type { Signer } from '../../wallet/signer.ts';

export interface DeveloperToken {
  accessToken: string;
  expiresAt: number;
  clientId: string;
}

export async function developerToken(signer: Signer, clientId: string, domain: string): Promise<DeveloperToken> {
  const q = new URLSearchParams({ client_id: clientId, domain, scope: 'openid email', response_type: 'code', address: signer.address });
  const c = await api<{ state: string; challenge: string }>(`/auth/web3/generate_challenge?${q}`, { method: 'POST', token: null });
  const signature = await signer.signMessage(c.challenge);
  const form = new URLSearchParams({ client_id: clientId, domain, grant_type: 'authorization_code', state: c.state, signature });
  const t = await api<{ access_token: string; expires_in: number }>('/auth/web3/submit_challenge', { method: 'POST', raw: form.toString(), contentType: 'application/x-www-form-urlencoded', token: null });
  return { accessToken: t.access_token, expiresAt: Date.now() + t.expires_in * 1000, clientId };
}

export async function vehicleToken(dev: DeveloperToken, vehicleContract: string, tokenId: string, privileges: number[]): Promise<string> {
  const r = await api<{ token: string }>('/v1/tokens/exchange', { body: { nftContractAddress: vehicleContract, tokenId: Number(tokenId), privileges }, token: dev.accessToken });
  return r.token;
}

/** Vehicles whose owners granted this address something (identity API, as DIMO's). */
export async function sharedVehicles(address: string): Promise<Array<{ tokenId: number; make: string; model: string; year: number; privileges: string | null }>> {
  const query = `query($a: Address!) { vehicles(first: 100, filterBy: { privileged: $a }) { nodes { tokenId definition { make model year } sacd(grantee: $a) { permissions } } } }`;
  const r = await api<{ data?: { vehicles: { nodes: Array<{ tokenId: number; definition: { make: string; model: string; year: number } | null; sacd: { permissions: string } | null }> } }; errors?: Array<{ message: string }> }>('/identity/query', { body: { query, variables: { a: address } }, token: null });
  if (r.errors?.length) throw new Error(r.errors[0]!.message);
  return (r.data?.vehicles.nodes ?? []).map((n) => ({ tokenId: n.tokenId, make: n.definition?.make ?? '', model: n.definition?.model ?? '', year: n.definition?.year ?? 0, privileges: n.sacd?.permissions ?? null }));
}

/** Privilege ids held in a hex 2-bit mask. */
export function maskPrivileges(hex: string | null): number[] {
  if (!hex) return [];
  const mask = BigInt(hex);
  const out: number[] = [];
  for (let id = 1; id <= 8; id++) if (((mask >> BigInt(2 * id)) & 3n) === 3n) out.push(id);
  return out;
}
