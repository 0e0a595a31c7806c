// The consent document the owner signs on approval (same format and bytes as src/consent/sacd-document.ts):
// a CloudEvent of type dimo.sacd, signed (EIP-191) over its canonical JSON; keccak256 of those bytes is the
// grant's `source` on chain.
import { getAddress, keccak256, type Hex } from 'viem';

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not JSON');
    return JSON.stringify(value === 0 ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const r = value as Record<string, unknown>;
    return `{${Object.keys(r).filter((k) => r[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(r[k])}`).join(',')}}`;
  }
  throw new Error('not JSON');
}

export interface SacdDocument {
  specversion: '1.0';
  id: string;
  source: string;
  type: 'dimo.sacd';
  time: string;
  datacontenttype: 'application/json';
  data: {
    grantor: string;
    grantee: string;
    asset: string;
    permissions: number[];
    purpose: string;
    expiration: number;
    streams?: Array<{ signal: string; frequency: string }>;
  };
  signature?: Hex;
}

/** What signs the document: any wallet's personal_sign over raw bytes (a `Signer` fits). */
export interface MessageSigner {
  address: string;
  signMessage(message: { raw: Uint8Array }): Promise<Hex>;
}

export async function signedConsentDocument(
  signer: MessageSigner,
  input: { chainId: number; vehicleContract: string; tokenId: string; grantee: string; permissions: number[]; purpose: string; expiration: number; streams: Array<{ signal: string; frequency: string }> },
): Promise<{ document: SacdDocument; hash: Hex }> {
  const grantor = getAddress(signer.address);
  const doc: SacdDocument = {
    specversion: '1.0',
    id: crypto.randomUUID(),
    source: `did:ethr:${input.chainId}:${grantor}`,
    type: 'dimo.sacd',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      grantor,
      grantee: getAddress(input.grantee),
      asset: `did:erc721:${input.chainId}:${getAddress(input.vehicleContract)}:${input.tokenId}`,
      permissions: [...new Set(input.permissions)].sort((a, b) => a - b),
      purpose: input.purpose,
      expiration: input.expiration,
      ...(input.streams.length ? { streams: input.streams.map((s) => ({ signal: s.signal, frequency: s.frequency })) } : {}),
    },
  };
  const bytes = new TextEncoder().encode(canonicalJson(doc));
  const signature = await signer.signMessage({ raw: bytes });
  return { document: { ...doc, signature }, hash: keccak256(bytes) };
}
