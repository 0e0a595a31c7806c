// The body of a delivery, in DIMO's shape: a CloudEvent of type `dimo.trigger` whose data names the
// webhook, the vehicle and the condition, and carries the signal sample that fired it:
// {
//   "id": "<hex>", "source": "opendimo", "producer": "<node base URL>", "specversion": "1.0",
//   "subject": "did:erc721:<chainId>:<VehicleId>:<tokenId>", "time": "<RFC 3339>", "type": "dimo.trigger",
//   "datacontenttype": "application/json", "dataversion": "telemetry.signals/v1.0",
//   "data": { "service": "telemetry.signals", "metricName": "speed", "webhookId": "<uuid>",
//             "webhookName": "...", "assetDID": "did:erc721:…", "condition": "valueNumber > 100",
//             "signal": { "name": "speed", "unit": "km/h", "timestamp": "<RFC 3339>", "source": "0x…",
//                         "producer": "did:…", "valueType": "float64", "value": 120 } }
// }
// The id is derived from (webhook, source event, signal, sample time), so a receiver can de-duplicate
// the retries at-least-once delivery implies.
import { createHash } from 'node:crypto';
import type { SignalDef } from '../ingest/normalize/signal-catalog.ts';

export const WEBHOOK_SERVICE = 'telemetry.signals';

export interface FiredSample {
  name: string;
  /** Epoch ms. */
  timestamp: number;
  value: number | string | { latitude: number; longitude: number; hdop: number | null };
  source: string;
  producer: string;
  eventId: string;
}

export interface PayloadContext {
  webhookId: string;
  webhookName: string;
  condition: string;
  assetDid: string;
  /** The node's base URL (CloudEvent `producer`). */
  producer: string;
  firedAt: number;
}

export function valueType(def: SignalDef | undefined): string {
  if (!def) return 'float64';
  return def.type === 'string' ? 'string' : def.type === 'location' ? 'vss.Location' : 'float64';
}

export function payloadId(webhookId: string, sample: FiredSample): string {
  return createHash('sha256').update(`${webhookId}|${sample.eventId}|${sample.name}|${sample.timestamp}`).digest('hex').slice(0, 32);
}

export function buildPayload(ctx: PayloadContext, sample: FiredSample, def: SignalDef | undefined): { id: string; body: string } {
  const id = payloadId(ctx.webhookId, sample);
  const event = {
    id,
    source: 'opendimo',
    producer: ctx.producer,
    specversion: '1.0',
    subject: ctx.assetDid,
    time: new Date(ctx.firedAt).toISOString(),
    type: 'dimo.trigger',
    datacontenttype: 'application/json',
    dataversion: `${WEBHOOK_SERVICE}/v1.0`,
    data: {
      service: WEBHOOK_SERVICE,
      metricName: sample.name,
      webhookId: ctx.webhookId,
      webhookName: ctx.webhookName,
      assetDID: ctx.assetDid,
      condition: ctx.condition,
      signal: {
        name: sample.name,
        ...(def?.unit ? { unit: def.unit } : {}),
        timestamp: new Date(sample.timestamp).toISOString(),
        source: sample.source,
        producer: sample.producer,
        valueType: valueType(def),
        value: sample.value,
      },
    },
  };
  return { id, body: JSON.stringify(event) };
}
