// EIP-4361 (Sign-In with Ethereum) messages for owners: the challenge the node hands out, and the checks
// a signed message must pass before its signature is even looked at. Each refusal has its own code:
// malformed or for another chain → ODM_ERR_SIWE_MESSAGE_INVALID, for another site →
// ODM_ERR_SIWE_DOMAIN, past its expiration time → ODM_ERR_SIGNATURE_EXPIRED.
import { getAddress, type Address } from 'viem';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import { OdmError } from '../../core/errors.ts';

export const SIWE_STATEMENT = 'Sign in to opendimo as the owner of this address. This costs nothing and grants no one access to your vehicles.';
/** How far in the future an issued-at time may lie (clock skew between wallet and node). */
const ISSUED_AT_SKEW_MS = 5 * 60_000;
const MAX_MESSAGE_BYTES = 4096;

export interface SiweTerms {
  /** RFC 3986 authority (host[:port]) the message must name. */
  domain: string;
  /** Origin of the site, on that authority. */
  uri: string;
  chainId: number;
}

export function challengeMessage(terms: SiweTerms, address: Address, nonce: string, issuedAt: number, expiresAt: number): string {
  return createSiweMessage({
    domain: terms.domain,
    address: getAddress(address),
    statement: SIWE_STATEMENT,
    uri: terms.uri,
    version: '1',
    chainId: terms.chainId,
    nonce,
    issuedAt: new Date(issuedAt),
    expirationTime: new Date(expiresAt),
  });
}

export interface CheckedSiwe {
  /** Lowercase 0x address that claims to have signed. */
  address: string;
  domain: string;
  nonce: string;
  expiresAt: number;
}

function invalid(message: string): OdmError {
  return new OdmError('ODM_ERR_SIWE_MESSAGE_INVALID', message);
}

/** Parses and checks everything but the signature and the nonce's record. */
export function checkSiweMessage(message: string, accept: { domains: ReadonlySet<string>; chainId: number }, now: number): CheckedSiwe {
  if (typeof message !== 'string' || message.length === 0 || Buffer.byteLength(message) > MAX_MESSAGE_BYTES) {
    throw invalid(`message must be an EIP-4361 message of at most ${MAX_MESSAGE_BYTES} bytes`);
  }
  const m = parseSiweMessage(message);
  if (!m.domain || !m.address || !m.uri || !m.nonce || m.version !== '1' || m.chainId === undefined || !m.issuedAt) {
    throw invalid('message is not an EIP-4361 message (domain, address, URI, version 1, chain ID, nonce and issued-at are required)');
  }
  if (!m.expirationTime) throw invalid('message must carry an Expiration Time');
  for (const [name, d] of [['Issued At', m.issuedAt], ['Expiration Time', m.expirationTime], ['Not Before', m.notBefore]] as const) {
    if (d && Number.isNaN(d.getTime())) throw invalid(`${name} is not an RFC 3339 time`);
  }
  if (!accept.domains.has(m.domain)) {
    throw new OdmError('ODM_ERR_SIWE_DOMAIN', `the message is for ${m.domain}, not this node`, { details: { domain: m.domain } });
  }
  let uriHost: string;
  try {
    uriHost = new URL(m.uri).host;
  } catch {
    throw invalid('URI is not a URI');
  }
  if (uriHost !== m.domain) throw new OdmError('ODM_ERR_SIWE_DOMAIN', 'the message URI is not on its domain', { details: { domain: m.domain } });
  if (m.chainId !== accept.chainId) throw invalid(`the message is for chain ${m.chainId}; this node follows chain ${accept.chainId}`);
  if (m.issuedAt.getTime() > now + ISSUED_AT_SKEW_MS) throw invalid('Issued At lies in the future');
  if (m.notBefore && m.notBefore.getTime() > now) throw invalid('the message is not valid yet (Not Before)');
  const expiresAt = m.expirationTime.getTime();
  if (now >= expiresAt) throw new OdmError('ODM_ERR_SIGNATURE_EXPIRED', 'the sign-in message has expired; ask for a new challenge');
  return { address: m.address.toLowerCase(), domain: m.domain, nonce: m.nonce, expiresAt };
}
