// An app using a cluster's api process the way a developer does: a license issued, staked and given an
// API key and redirect URI on chain; web3 sign-in for a developer token; the token exchange for a vehicle
// token once the owner granted privileges on chain; a graphql-ws live subscription; webhooks over HTTP.
import { createClient, type Client } from 'graphql-ws';
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import type { ChainFixture } from '../../identity/support/identity-fixture.ts';
import { eventually } from './cluster-fixture.ts';

const E18 = 10n ** 18n;
const REDIRECT = 'https://app.example/callback';

export const LIVE_QUERY = `subscription ($id: Int!) { signals(tokenId: $id) { tokenId lastSeen cloudEventId speed { timestamp value } } }`;

export interface AppClient {
  holder: LocalAccount;
  developerToken(): Promise<string>;
  vehicleToken(dev: string, vehicleId: bigint, privileges: number[]): Promise<string>;
  http(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: any }>;
  live(token: string, vehicleId: bigint, onUpdate: () => void): { client: Client; errors: unknown[] };
}

export async function startAppClient(chain: ChainFixture, apiUrl: string): Promise<AppClient> {
  const { admin, app: holder } = chain.actors;
  const receipt = await chain.write(admin, 'Licenses', 'issue', [holder.address, 2, { legalName: 'Cluster Apps Ltd', dba: 'ClusterApps', website: 'https://app.example', supportEmail: 'help@app.example' }]);
  const licenseId = chain.events(receipt, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!.args.licenseId as bigint;
  const stake = 10_000n * E18;
  await chain.write(admin, 'DimoToken', 'mint', [holder.address, stake]);
  await chain.write(holder, 'DimoToken', 'approve', [chain.contracts.Licenses, stake]);
  await chain.write(holder, 'Licenses', 'stake', [licenseId, stake]);
  const signer = privateKeyToAccount(generatePrivateKey());
  await chain.write(holder, 'LicenseSigners', 'enableSigner', [licenseId, signer.address, (await chain.now()) + 86_400n]);
  await chain.write(holder, 'LicenseSigners', 'setRedirectUri', [licenseId, REDIRECT, true]);

  const http: AppClient['http'] = async (method, path, token, body) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (typeof body === 'string') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${apiUrl}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const signIn = async () => {
    const q = new URLSearchParams({ client_id: holder.address, domain: REDIRECT, scope: 'openid email', response_type: 'code', address: holder.address });
    const gen = await http('POST', `/auth/web3/generate_challenge?${q}`);
    if (gen.status !== 200) throw new Error(`generate_challenge: ${gen.status} ${JSON.stringify(gen.json)}`);
    const signature = await signer.signMessage({ message: gen.json.challenge });
    const form = new URLSearchParams({ client_id: holder.address, domain: REDIRECT, grant_type: 'authorization_code', state: gen.json.state, signature }).toString();
    const sub = await http('POST', '/auth/web3/submit_challenge', undefined, form);
    if (sub.status !== 200) throw new Error(`submit_challenge: ${sub.status} ${JSON.stringify(sub.json)}`);
    return sub.json.access_token as string;
  };
  // The api process's licensing mirror follows the leader's: sign-in works once it has the license.
  await eventually('developer sign-in on the api process', 30_000, signIn);

  return {
    holder,
    developerToken: signIn,
    async vehicleToken(dev, vehicleId, privileges) {
      return eventually('the token exchange (the mirror has the grant)', 30_000, async () => {
        const res = await http('POST', '/v1/tokens/exchange', dev, { nftContractAddress: chain.contracts.VehicleId, tokenId: Number(vehicleId), privileges });
        if (res.status !== 200) throw new Error(`exchange: ${res.status} ${JSON.stringify(res.json)}`);
        return res.json.token as string;
      });
    },
    http,
    live(token, vehicleId, onUpdate) {
      const errors: unknown[] = [];
      const client = createClient({ url: `${apiUrl.replace(/^http/, 'ws')}/query`, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: true });
      client.subscribe({ query: LIVE_QUERY, variables: { id: Number(vehicleId) } }, {
        next: (r) => (r.errors ? errors.push(r.errors) : onUpdate()),
        error: (err) => errors.push(err),
        complete: () => errors.push('completed'),
      });
      return { client, errors };
    },
  };
}
