// Who is asking, for app requests such as commands. Until the app-access token exchange (vehicle JWTs)
// lands in src/api, an app proves its grantee address by signing the request (EIP-191 personal_sign)
// with that address's key and sending two headers:
//   x-opendimo-app-signature: 0x… (65 bytes)
//   x-opendimo-app-timestamp: epoch ms, within 5 minutes of the node's clock
// over the text
//   opendimo app request\n<METHOD> <path>\ntimestamp: <ms>\nbody-sha256: <hex of the exact body bytes>
// A replay inside the window can only repeat the same (idempotent) command.
import { createHash } from 'node:crypto';
import { recoverMessageAddress, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';

export const APP_SIGNATURE_HEADER = 'x-opendimo-app-signature';
export const APP_TIMESTAMP_HEADER = 'x-opendimo-app-timestamp';
export const APP_AUTH_WINDOW_MS = 5 * 60_000;

export function appRequestMessage(method: string, path: string, timestampMs: number, body: Uint8Array | string): string {
  const hash = createHash('sha256').update(body).digest('hex');
  return `opendimo app request\n${method.toUpperCase()} ${path}\ntimestamp: ${timestampMs}\nbody-sha256: ${hash}`;
}

/** The grantee address that signed the request (lowercase); throws ODM_ERR_APP_AUTH. */
export async function verifyAppRequest(req: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Uint8Array | string }, now: number): Promise<string> {
  const sig = req.headers[APP_SIGNATURE_HEADER];
  const ts = req.headers[APP_TIMESTAMP_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string') {
    throw new OdmError('ODM_ERR_APP_AUTH', `sign the request with the grantee's key: headers ${APP_SIGNATURE_HEADER} and ${APP_TIMESTAMP_HEADER}`);
  }
  const timestamp = Number(ts);
  if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > APP_AUTH_WINDOW_MS) {
    throw new OdmError('ODM_ERR_APP_AUTH', `${APP_TIMESTAMP_HEADER} must be epoch milliseconds within 5 minutes of now`);
  }
  if (!/^0x[0-9a-fA-F]{130}$/.test(sig)) throw new OdmError('ODM_ERR_APP_AUTH', `${APP_SIGNATURE_HEADER} must be a 65-byte hex signature`);
  try {
    return (await recoverMessageAddress({ message: appRequestMessage(req.method, req.path, timestamp, req.body), signature: sig as Hex })).toLowerCase();
  } catch (cause) {
    throw new OdmError('ODM_ERR_APP_AUTH', 'the app signature does not verify', { cause });
  }
}
