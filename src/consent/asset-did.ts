// Subject DIDs for ERC-721 assets, as DIMO writes them: did:erc721:<chainId>:<contract>:<tokenId>.
import { getAddress, isAddress, type Address } from 'viem';
import { OdmError } from '../core/errors.ts';

export interface AssetRef {
  chainId: number;
  contract: Address;
  tokenId: bigint;
}

const DID = /^did:erc721:([1-9][0-9]*):(0x[0-9a-fA-F]{40}):(0|[1-9][0-9]*)$/;
const MAX_UINT256 = (1n << 256n) - 1n;

/** The contract address is checksummed, so equal assets give equal strings. */
export function formatAssetDid(asset: AssetRef): string {
  if (!Number.isSafeInteger(asset.chainId) || asset.chainId <= 0 || !isAddress(asset.contract, { strict: false }) || asset.tokenId < 0n || asset.tokenId > MAX_UINT256) {
    throw new OdmError('ODM_ERR_VALIDATION', 'An asset needs a positive chain id, a contract address and a uint256 token id', { status: 400 });
  }
  return `did:erc721:${asset.chainId}:${getAddress(asset.contract)}:${asset.tokenId}`;
}

export function parseAssetDid(did: string): AssetRef {
  const m = typeof did === 'string' ? DID.exec(did) : null;
  const chainId = m ? Number(m[1]) : NaN;
  const tokenId = m ? BigInt(m[3]!) : -1n;
  if (!m || !Number.isSafeInteger(chainId) || tokenId > MAX_UINT256) {
    throw new OdmError('ODM_ERR_VALIDATION', 'Not an asset DID (did:erc721:<chainId>:<contract>:<tokenId>)', { status: 400, details: { did: String(did).slice(0, 200) } });
  }
  return { chainId, contract: getAddress(m[2]!), tokenId };
}
