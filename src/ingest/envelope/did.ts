// DIDs in DIMO's CloudEvent profile, canonicalised so equal identities give equal strings:
//   did:erc721:<chainId>:<contract>:<tokenId>   vehicles and devices (contract checksummed)
//   did:nft:<chainId>:<contract>_<tokenId>      legacy form, accepted and rewritten to did:erc721
//   did:ethr:<chainId>:<address>                 an account or device key (address checksummed)
// Checksumming hashes the address, so canonical prefixes are cached: a node sees few contracts.
import { getAddress } from 'viem';

export type Did =
  | { kind: 'erc721'; chainId: number; contract: string; tokenId: bigint; canonical: string }
  | { kind: 'ethr'; chainId: number; address: string; canonical: string };

const MAX_UINT256 = (1n << 256n) - 1n;
const HEX40 = /^0x[0-9a-fA-F]{40}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;
const CHAIN = /^[1-9][0-9]{0,15}$/;
const MAX_CACHED = 4096;

/** "<chainId>:<address>" → canonical "did:<method>:<chainId>:<Checksummed>:" pieces. */
const prefixes = new Map<string, { chainId: number; lower: string; checksummed: string } | null>();

function prefix(chain: string, address: string): { chainId: number; lower: string; checksummed: string } | null {
  const key = `${chain}:${address}`;
  let hit = prefixes.get(key);
  if (hit !== undefined) return hit;
  hit = null;
  if (CHAIN.test(chain) && HEX40.test(address)) {
    const chainId = Number(chain);
    if (Number.isSafeInteger(chainId)) hit = { chainId, lower: address.toLowerCase(), checksummed: getAddress(address) };
  }
  if (prefixes.size < MAX_CACHED) prefixes.set(key, hit);
  return hit;
}

/** The checksummed form of a 0x address (cached), or undefined if it is not one. */
export function checksumAddress(address: string): string | undefined {
  return prefix('1', address)?.checksummed;
}

function tokenId(text: string | undefined): bigint | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const id = BigInt(text);
  return id <= MAX_UINT256 ? id : undefined;
}

export function parseDid(text: unknown): Did | undefined {
  if (typeof text !== 'string' || text.length > 200 || !text.startsWith('did:')) return undefined;
  const parts = text.split(':');
  if (parts[1] === 'erc721' && parts.length === 5) {
    const p = prefix(parts[2]!, parts[3]!);
    const id = tokenId(parts[4]);
    if (!p || id === undefined) return undefined;
    // The chain id and token id patterns admit only canonical digits, so a checksummed contract makes
    // the text canonical as it stands (the usual case; saves rebuilding it per event).
    const canonical = parts[3] === p.checksummed ? text : `did:erc721:${p.chainId}:${p.checksummed}:${id}`;
    return { kind: 'erc721', chainId: p.chainId, contract: p.lower, tokenId: id, canonical };
  }
  if (parts[1] === 'nft' && parts.length === 4) {
    const under = parts[3]!.indexOf('_');
    if (under < 0) return undefined;
    const p = prefix(parts[2]!, parts[3]!.slice(0, under));
    const id = tokenId(parts[3]!.slice(under + 1));
    if (!p || id === undefined) return undefined;
    return { kind: 'erc721', chainId: p.chainId, contract: p.lower, tokenId: id, canonical: `did:erc721:${p.chainId}:${p.checksummed}:${id}` };
  }
  if (parts[1] === 'ethr' && parts.length === 4) {
    const p = prefix(parts[2]!, parts[3]!);
    if (!p) return undefined;
    return { kind: 'ethr', chainId: p.chainId, address: p.lower, canonical: `did:ethr:${p.chainId}:${p.checksummed}` };
  }
  return undefined;
}
