// Webhook secrets, queued delivery bodies and the previous samples `previousValue` conditions compare
// with are kept sealed (AES-256-GCM) under a key derived from the node's KEK, bound to the row they
// belong to, so the database alone never yields a signing secret or a signal value.
import { hkdfSync } from 'node:crypto';
import { open, seal, toKey } from '../vault/aead.ts';

export interface WebhookSealer {
  sealSecret(webhookId: string, secret: string): Buffer;
  openSecret(webhookId: string, sealed: Uint8Array): string;
  sealBody(deliveryId: string, body: string): Buffer;
  openBody(deliveryId: string, sealed: Uint8Array): string;
  /** A vehicle's previous sample of a signal (`key` names vehicle, signal and owner epoch). */
  sealPrevious(key: string, json: string): Buffer;
  openPrevious(key: string, sealed: Uint8Array): string;
}

export function createWebhookSealer(kek: Buffer): WebhookSealer {
  const key = toKey(Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'opendimo/webhooks/v1', 32)));
  return {
    sealSecret: (id, secret) => seal(key, Buffer.from(secret), `webhook-secret:${id}`),
    openSecret: (id, sealed) => open(key, sealed, `webhook-secret:${id}`).toString(),
    sealBody: (id, body) => seal(key, Buffer.from(body), `webhook-delivery:${id}`),
    openBody: (id, sealed) => open(key, sealed, `webhook-delivery:${id}`).toString(),
    sealPrevious: (k, json) => seal(key, Buffer.from(json), `webhook-previous:${k}`),
    openPrevious: (k, sealed) => open(key, sealed, `webhook-previous:${k}`).toString(),
  };
}
