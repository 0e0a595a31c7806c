// MQTT ingest on the embedded broker (aedes). A device's QoS 1 PUBLISH is acknowledged (PUBACK) only
// after the event is durably stored: aedes writes the PUBACK when authorizePublish calls back, so the
// hook holds that callback until the pipeline answers. Rejected events are acknowledged too (resending
// cannot fix them) and counted; a transient failure (overload, database down) closes the client's
// connection without a PUBACK, so the device resends.
//
// Device topics are write-only: raw payloads are never delivered to other clients.
import type { Aedes } from 'aedes';
import { isOdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { IngestPipeline } from '../pipeline/pipeline.ts';
import { couldMatchDeviceTopic, deviceAddressOf } from './mqtt-topics.ts';

export function attachEmbeddedBroker(broker: Aedes, pipeline: () => IngestPipeline, logger: Logger): () => void {
  const previousPublish = broker.authorizePublish;
  const previousSubscribe = broker.authorizeSubscribe;

  broker.authorizePublish = (client, packet, callback) => {
    const address = deviceAddressOf(packet.topic);
    if (!client || address === undefined) return previousPublish.call(broker, client, packet, callback);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    let p: IngestPipeline;
    try {
      p = pipeline();
    } catch (err) {
      return callback(err as Error);
    }
    p.ingest([payload], { transport: 'mqtt', topicAddress: address }).then(
      ([results]) => {
        for (const r of results ?? []) {
          if (r.status === 'rejected') logger.debug({ code: r.code, index: r.index }, 'mqtt event rejected');
        }
        callback(null);
      },
      (err: unknown) => {
        if (!(isOdmError(err) && err.retryable)) logger.error({ err }, 'mqtt ingest failed');
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  };

  broker.authorizeSubscribe = (client, subscription, callback) => {
    if (couldMatchDeviceTopic(subscription.topic)) return callback(null, null);
    return previousSubscribe.call(broker, client, subscription, callback);
  };

  return () => {
    broker.authorizePublish = previousPublish;
    broker.authorizeSubscribe = previousSubscribe;
  };
}
