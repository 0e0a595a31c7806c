// Headers for the owner routes that want each request signed by the vehicle's owner (privacy settings):
// an EIP-191 signature over method, path, time and the body's SHA-256 (src/privacy/owner-auth.ts).
import { sha256Hex } from './bytes.ts';
import type { Signer } from './signer.ts';

export async function ownerRequestHeaders(signer: Signer, method: string, path: string, body: string): Promise<Record<string, string>> {
  const timestamp = Date.now();
  const message = `opendimo owner request\n${method.toUpperCase()} ${path}\ntimestamp: ${timestamp}\nbody-sha256: ${await sha256Hex(body)}`;
  return { 'x-opendimo-owner-signature': await signer.signMessage(message), 'x-opendimo-owner-timestamp': String(timestamp) };
}
