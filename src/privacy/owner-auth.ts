// Owner-authenticated requests for the privacy and deletion routes, until the node's account login
// lands: the vehicle's owner signs (EIP-191 personal_sign) a message naming the method, path, time and
// body hash, and sends the signature and time in two headers. The recovered address must be the
// vehicle's owner on chain and the time within five minutes of the node's clock; a replay inside that
// window can only repeat the same idempotent request.
import { createHash } from 'node:crypto';
import { recoverMessageAddress, type Hex } from 'viem';
import { OdmError } from '../core/errors.ts';

export const OWNER_SIGNATURE_HEADER = 'x-opendimo-owner-signature';
export const OWNER_TIMESTAMP_HEADER = 'x-opendimo-owner-timestamp';
export const OWNER_AUTH_WINDOW_MS = 5 * 60_000;

/** The text the owner signs. */
export function ownerMessage(method: string, path: string, timestampMs: number, body: Uint8Array | string): string {
  const hash = createHash('sha256').update(body).digest('hex');
  return `opendimo owner request\n${method.toUpperCase()} ${path}\ntimestamp: ${timestampMs}\nbody-sha256: ${hash}`;
}

export interface OwnerRequest {
  method: string;
  /** Path without query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

/** Throws ODM_ERR_OWNER_AUTH (missing/expired/malformed) or ODM_ERR_NOT_OWNER; returns the owner. */
export async function verifyOwnerRequest(req: OwnerRequest, owner: string, now: number): Promise<string> {
  const sig = req.headers[OWNER_SIGNATURE_HEADER];
  const ts = req.headers[OWNER_TIMESTAMP_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string') {
    throw new OdmError('ODM_ERR_OWNER_AUTH', `sign the request as the vehicle's owner: headers ${OWNER_SIGNATURE_HEADER} and ${OWNER_TIMESTAMP_HEADER} (see README, "Owner requests")`);
  }
  const timestamp = Number(ts);
  if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > OWNER_AUTH_WINDOW_MS) {
    throw new OdmError('ODM_ERR_OWNER_AUTH', `${OWNER_TIMESTAMP_HEADER} must be epoch milliseconds within 5 minutes of now`);
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(sig)) throw new OdmError('ODM_ERR_OWNER_AUTH', `${OWNER_SIGNATURE_HEADER} must be a 65-byte hex signature`);
  let signer: string;
  try {
    signer = (await recoverMessageAddress({ message: ownerMessage(req.method, req.path, timestamp, req.body), signature: sig as Hex })).toLowerCase();
  } catch (cause) {
    throw new OdmError('ODM_ERR_OWNER_AUTH', 'the owner signature does not verify', { cause });
  }
  if (signer !== owner.toLowerCase()) throw new OdmError('ODM_ERR_NOT_OWNER', 'the request is not signed by the vehicle\'s owner');
  return signer;
}
