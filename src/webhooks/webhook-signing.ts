// Webhook signatures, as DIMO's vehicle-triggers-api signs them: every delivery carries
//   X-DIMO-Timestamp: <unix seconds>
//   X-DIMO-Signature: hex(HMAC-SHA256(secret, <timestamp> + "." + <raw body>))
//   X-DIMO-Signature-Version: v1
//   X-DIMO-Delivery-Id: <uuid, the same on every retry of one delivery>
// A receiver recomputes the HMAC over the exact bytes it received (before any JSON parsing), compares in
// constant time, and refuses timestamps outside its replay window (5 minutes is usual). The secret is
// per webhook, returned once when the webhook is created (or its secret rotated).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-dimo-signature';
export const TIMESTAMP_HEADER = 'x-dimo-timestamp';
export const SIGNATURE_VERSION_HEADER = 'x-dimo-signature-version';
export const DELIVERY_ID_HEADER = 'x-dimo-delivery-id';
export const SIGNATURE_VERSION = 'v1';

/** A new signing secret: `whsec_` + 32 random bytes, base64url. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signBody(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * What a receiver runs: true when `signature` is the HMAC of `timestamp.body` under `secret` and the
 * timestamp lies within `toleranceSec` of `nowSec`.
 */
export function verifySignature(opts: { secret: string; body: string | Uint8Array; timestamp: string | undefined; signature: string | undefined; nowSec?: number; toleranceSec?: number }): boolean {
  const ts = Number(opts.timestamp);
  if (!opts.signature || !/^[0-9a-f]{64}$/.test(opts.signature) || !Number.isSafeInteger(ts)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signBody(opts.secret, ts, opts.body), 'hex');
  return timingSafeEqual(expected, Buffer.from(opts.signature, 'hex'));
}
