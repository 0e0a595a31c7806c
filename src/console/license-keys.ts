// A license's API keys (signer addresses with expiry) and redirect URIs, for its holder's console: read
// from the LicenseSigners contract's events (the chain is the record; the app-access mirror uses the
// same events to authenticate). Answers empty lists where the contract is not deployed.
import { parseAbiItem, type Address } from 'viem';
import type { NodeServices } from '../node/start-node.ts';

const ENABLED = parseAbiItem('event SignerEnabled(uint256 indexed licenseId, address indexed signer, uint64 expiresAt, address indexed by)');
const DISABLED = parseAbiItem('event SignerDisabled(uint256 indexed licenseId, address indexed signer, address indexed by)');
const URI = parseAbiItem('event RedirectUriSet(uint256 indexed licenseId, string uri, bool enabled, address indexed by)');

export interface LicenseKeys {
  deployed: boolean;
  signers: Array<{ address: string; expiresAt: number; active: boolean }>;
  redirectUris: string[];
}

export async function licenseKeys(services: NodeServices, licenseId: bigint): Promise<LicenseKeys> {
  const address = services.chain.contracts.LicenseSigners as Address | undefined;
  if (!address) return { deployed: false, signers: [], redirectUris: [] };
  const client = services.chain.clients.publicClient;
  const range = { address, fromBlock: services.chain.deploymentBlock, toBlock: 'latest' as const, args: { licenseId } };
  const [enabled, disabled, uris] = await Promise.all([
    client.getLogs({ ...range, event: ENABLED }),
    client.getLogs({ ...range, event: DISABLED }),
    client.getLogs({ ...range, event: URI }),
  ]);
  type Ev = { block: bigint; index: number; apply(): void };
  const signers = new Map<string, number>();
  const redirect = new Set<string>();
  const events: Ev[] = [
    ...enabled.map((l) => ({ block: l.blockNumber, index: l.logIndex, apply: () => void signers.set(l.args.signer!.toLowerCase(), Number(l.args.expiresAt)) })),
    ...disabled.map((l) => ({ block: l.blockNumber, index: l.logIndex, apply: () => void signers.delete(l.args.signer!.toLowerCase()) })),
    ...uris.map((l) => ({ block: l.blockNumber, index: l.logIndex, apply: () => void (l.args.enabled ? redirect.add(l.args.uri!) : redirect.delete(l.args.uri!)) })),
  ].sort((a, b) => (a.block === b.block ? a.index - b.index : a.block < b.block ? -1 : 1));
  for (const e of events) e.apply();
  const nowSec = Math.floor(services.clock.now() / 1000);
  return {
    deployed: true,
    signers: [...signers].map(([a, exp]) => ({ address: a, expiresAt: exp * 1000, active: exp > nowSec })),
    redirectUris: [...redirect].sort(),
  };
}
