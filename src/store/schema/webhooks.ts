// Table types: webhooks (src/webhooks)

export interface WebhooksTable {
  /** UUID. */
  id: string;
  /** Decimal id of the license that owns the webhook. */
  license_id: string;
  /** Lowercase 0x address deliveries read as (the license's client id; owners grant to it). */
  grantee: string;
  service: string;
  /** Catalogue signal name. */
  metric_name: string;
  /** CEL expression. */
  condition: string;
  cooldown_s: number;
  target_url: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  /** Consecutive failed delivery attempts. */
  failure_count: number;
  display_name: string;
  description: string;
  /** The HMAC signing secret, sealed under the webhook key. */
  secret_ct: Buffer;
  created_at: number;
  updated_at: number;
}

export interface WebhookSubscriptionsTable {
  webhook_id: string;
  /** Decimal vehicle token id. */
  vehicle_id: string;
  created_at: number;
}

export interface WebhookFiresTable {
  webhook_id: string;
  vehicle_id: string;
  /** Epoch ms of the last fire (the cooldown runs from here). */
  fired_at: number;
}

export interface WebhookDeliveriesTable {
  /** UUID; also the X-DIMO-Delivery-Id header. */
  id: string;
  webhook_id: string;
  vehicle_id: string;
  /** Owner epoch of the data: a delivery never outlives the vehicle changing hands. */
  owner_version: number;
  /** The CloudEvent id of the payload (stable across retries). */
  event_id: string;
  status: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  /** HTTP status of the last attempt; null when it got no answer. */
  last_status: number | null;
  last_error: string | null;
  /** The JSON body, sealed; null once the delivery ended. */
  body_ct: Buffer | null;
  created_at: number;
  finished_at: number | null;
  /** The process attempting it now (migration 0760); null when nobody is. */
  claimed_by: string | null;
  /** Epoch ms the claim lapses; past it another process may retry (its claimant died). */
  claimed_until: number | null;
}

/** The last sample of a watched signal per vehicle, for `previousValue` in conditions (migration 0760). */
export interface WebhookPreviousTable {
  vehicle_id: string;
  /** Catalogue signal name. */
  signal: string;
  /** Owner epoch of the sample: a new owner starts without a previous value. */
  owner_version: number;
  /** The sample's own timestamp (epoch ms); an older sample never replaces a newer one. */
  sample_ts: number;
  /** `{ value, source }` as JSON, sealed under the webhook key. */
  value_ct: Buffer;
  updated_at: number;
}
