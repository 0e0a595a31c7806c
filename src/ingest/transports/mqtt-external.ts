// MQTT ingest from an external broker (Mosquitto or any MQTT broker). The node subscribes to device
// topics with QoS 1 on persistent sessions and acknowledges each message only after it is stored:
// mqtt.js sends the PUBACK once handleMessage calls back. mqtt.js handles one message at a time per
// connection, so the node opens several consumers; with a shared-subscription group
// (`$share/<group>/devices/+/status`, MQTT 5 brokers) the broker spreads devices over them.
import mqtt, { type MqttClient } from 'mqtt';
import { isOdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { IngestPipeline } from '../pipeline/pipeline.ts';
import { DEVICE_TOPIC_FILTER, deviceAddressOf } from './mqtt-topics.ts';

export interface ExternalConsumerOptions {
  url: string;
  pipeline: () => IngestPipeline;
  logger: Logger;
  /** Parallel consumer connections; default 4. */
  consumers?: number;
  /** Shared-subscription group; without one every consumer would receive every message. */
  shareGroup?: string;
  clientIdPrefix?: string;
}

export async function startExternalConsumer(o: ExternalConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const n = o.shareGroup ? Math.max(1, o.consumers ?? 4) : 1;
  const filter = o.shareGroup ? `$share/${o.shareGroup}/${DEVICE_TOPIC_FILTER}` : DEVICE_TOPIC_FILTER;
  const clients: MqttClient[] = [];
  for (let i = 0; i < n; i++) {
    const client = mqtt.connect(o.url, {
      clientId: `${o.clientIdPrefix ?? 'opendimo-ingest'}-${i}`,
      clean: false,
      reconnectPeriod: 1000,
      protocolVersion: o.shareGroup ? 5 : 4,
    });
    client.on('error', (err) => o.logger.warn({ err: err.message }, 'mqtt ingest consumer error'));
    // Called before mqtt.js acknowledges a QoS 1 message; the PUBACK waits for our callback.
    client.handleMessage = (packet, callback) => {
      const topic = packet.cmd === 'publish' ? packet.topic : '';
      const address = deviceAddressOf(topic);
      if (packet.cmd !== 'publish' || address === undefined) return callback();
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      let pipeline: IngestPipeline;
      try {
        pipeline = o.pipeline();
      } catch (err) {
        client.end(true);
        return callback(err as Error);
      }
      pipeline.ingest([payload], { transport: 'mqtt', topicAddress: address }).then(
        () => callback(),
        (err: unknown) => {
          if (!(isOdmError(err) && err.retryable)) o.logger.error({ err }, 'mqtt ingest failed');
          // No PUBACK: drop the connection so the broker redelivers on reconnect.
          client.stream.destroy();
        },
      );
    };
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filter, { qos: 1 });
    clients.push(client);
  }
  return {
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
