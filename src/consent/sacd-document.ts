// The signed consent document behind a grant's on-chain `source`: a CloudEvents 1.0 event of type
// `dimo.sacd`, signed by the grantor with EIP-191 personal_sign over the canonical JSON of the event
// without `signature`. keccak256 of those same bytes is what Permissions stores as `source`.
import { randomUUID } from 'node:crypto';
import { getAddress, isAddress, keccak256, recoverMessageAddress, type Address, type Hex, type SignableMessage } from 'viem';
import { z } from 'zod';
import { OdmError } from '../core/errors.ts';
import { formatAssetDid, parseAssetDid, type AssetRef } from './asset-did.ts';
import { canonicalJson } from './canonical-json.ts';
import { isPrivilegeId, privilegesToMask, type PrivilegeId } from './privileges.ts';

export const SACD_TYPE = 'dimo.sacd';

export interface SacdStream {
  /** Signal name (VSS), e.g. `speed`. */
  signal: string;
  /** How often it is shared, as shown at opt-in, e.g. `1s`, `PT1M`, `on-change`. */
  frequency: string;
}

export interface SacdData {
  grantor: Address;
  grantee: Address;
  /** did:erc721:<chainId>:<contract>:<tokenId> */
  asset: string;
  /** Privilege ids 1–8, ascending. */
  permissions: PrivilegeId[];
  purpose: string;
  /** Unix seconds; the grant is valid while expiration > now. */
  expiration: number;
  streams?: SacdStream[];
}

export interface SacdDocument {
  specversion: '1.0';
  id: string;
  source: string;
  type: typeof SACD_TYPE;
  time: string;
  datacontenttype: 'application/json';
  data: SacdData;
  /** EIP-191 signature by the grantor; absent until signed. */
  signature?: Hex;
}

export interface BuildSacdInput {
  grantor: Address;
  grantee: Address;
  asset: AssetRef | string;
  permissions: Iterable<number>;
  purpose: string;
  expiration: number;
  streams?: SacdStream[];
  /** CloudEvents `source`; defaults to did:ethr:<chainId>:<grantor>. */
  source?: string;
  id?: string;
  time?: Date;
}

/** What can sign for the grantor (a viem LocalAccount fits). */
export interface SacdSigner {
  address: Address;
  signMessage(args: { message: SignableMessage }): Promise<Hex>;
}

const address = z.string().refine((s) => isAddress(s, { strict: false }), 'not an address');
const text = (max: number) => z.string().min(1).max(max);
const dataSchema = z.strictObject({
  grantor: address,
  grantee: address,
  asset: z.string().refine((s) => {
    try {
      parseAssetDid(s);
      return true;
    } catch {
      return false;
    }
  }, 'not an asset DID'),
  permissions: z
    .array(z.number().refine(isPrivilegeId, 'unknown privilege id'))
    .min(1)
    .refine((ids) => new Set(ids).size === ids.length, 'duplicate privilege id'),
  purpose: text(1000),
  // Fits the chain's uint64 expiry and stays exact as a JS number.
  expiration: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  streams: z.array(z.strictObject({ signal: text(200), frequency: text(64) })).max(500).optional(),
});
const documentSchema = z.strictObject({
  specversion: z.literal('1.0'),
  id: text(200),
  source: text(500),
  type: z.literal(SACD_TYPE),
  time: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp'),
  datacontenttype: z.literal('application/json'),
  data: dataSchema,
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/).optional(),
});

/** An unsigned document; permissions are sorted and de-duplicated, addresses checksummed. */
export function buildSacdDocument(input: BuildSacdInput): SacdDocument {
  const assetRef = typeof input.asset === 'string' ? parseAssetDid(input.asset) : input.asset;
  const mask = privilegesToMask(input.permissions); // refuses unknown ids
  const permissions = [...new Set(input.permissions)].sort((a, b) => a - b) as PrivilegeId[];
  if (mask === 0n) throw invalid('a consent document needs at least one privilege');
  const grantor = checksum(input.grantor, 'grantor');
  const doc: SacdDocument = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source ?? `did:ethr:${assetRef.chainId}:${grantor}`,
    type: SACD_TYPE,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: {
      grantor,
      grantee: checksum(input.grantee, 'grantee'),
      asset: formatAssetDid(assetRef),
      permissions,
      purpose: input.purpose,
      expiration: input.expiration,
      ...(input.streams ? { streams: input.streams.map((s) => ({ signal: s.signal, frequency: s.frequency })) } : {}),
    },
  };
  assertWellFormed(doc);
  return doc;
}

/** UTF-8 bytes of the canonical JSON of the document without its signature: what is signed and hashed. */
export function canonicalSacdBytes(doc: SacdDocument): Uint8Array {
  assertWellFormed(doc);
  const { signature: _signature, ...unsigned } = doc;
  return new TextEncoder().encode(canonicalJson(unsigned));
}

/** keccak256 of the canonical bytes: the `source` recorded with the on-chain grant. */
export function sacdHash(doc: SacdDocument): Hex {
  return keccak256(canonicalSacdBytes(doc));
}

/** The on-chain permission mask the document asks for. */
export function sacdPermissionsMask(doc: SacdDocument): bigint {
  return privilegesToMask(doc.data.permissions);
}

/** Signs as the grantor; the signer must be the grantor's own key. */
export async function signSacdDocument(doc: SacdDocument, signer: SacdSigner): Promise<SacdDocument> {
  const bytes = canonicalSacdBytes(doc);
  if (getAddress(signer.address) !== getAddress(doc.data.grantor)) {
    throw invalid('the document must be signed by its grantor', { grantor: doc.data.grantor, signer: signer.address });
  }
  const signature = await signer.signMessage({ message: { raw: bytes } });
  return { ...doc, signature };
}

/** A chain client able to check ERC-1271 contract-wallet signatures (a viem PublicClient fits). */
export interface SacdVerifyClient {
  verifyMessage(args: { address: Address; message: SignableMessage; signature: Hex }): Promise<boolean>;
}

/**
 * Checks shape and the grantor's signature: recovered locally for an EOA grantor, or through `client`
 * (ERC-1271) when one is given. Throws ODM_ERR_SACD_INVALID for a malformed document and
 * ODM_ERR_SIGNATURE_INVALID for a missing, malformed or foreign signature. Expiry is the caller's policy.
 */
export async function verifySacdDocument(doc: unknown, opts: { client?: SacdVerifyClient } = {}): Promise<{ ok: true; grantor: Address }> {
  assertWellFormed(doc);
  if (!doc.signature) throw badSignature('the consent document is not signed');
  const grantor = getAddress(doc.data.grantor);
  const message = { raw: canonicalSacdBytes(doc) };
  let valid: boolean;
  if (opts.client) {
    try {
      valid = await opts.client.verifyMessage({ address: grantor, message, signature: doc.signature });
    } catch (err) {
      throw new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', 'Could not check the consent document signature on chain', { cause: err });
    }
  } else {
    try {
      valid = (await recoverMessageAddress({ message, signature: doc.signature })) === grantor;
    } catch (err) {
      throw badSignature('the consent document signature is malformed', err);
    }
  }
  if (!valid) throw badSignature('the consent document is not signed by its grantor');
  return { ok: true, grantor };
}

function assertWellFormed(doc: unknown): asserts doc is SacdDocument {
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(`invalid consent document: ${issues[0]}`, { issues });
  }
}

function checksum(value: string, field: string): Address {
  if (!isAddress(value, { strict: false })) throw invalid(`${field} is not an address`);
  return getAddress(value);
}

function invalid(message: string, details: Record<string, unknown> = {}): OdmError {
  return new OdmError('ODM_ERR_SACD_INVALID', message, { status: 400, details });
}

function badSignature(message: string, cause?: unknown): OdmError {
  return new OdmError('ODM_ERR_SIGNATURE_INVALID', message, { status: 400, ...(cause === undefined ? {} : { cause }) });
}
