// A connection to an external broker (Mosquitto or any MQTT 3.1.1/5 broker). mqtt.js reconnects on
// its own; health reflects whether the connection is up right now.
import mqtt, { type MqttClient } from 'mqtt';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { MqttService } from './mqtt-service.ts';

export interface ExternalBroker extends MqttService {
  client: MqttClient;
}

export async function connectExternalBroker(options: { url: string; logger: Logger; connectTimeoutMs?: number }): Promise<ExternalBroker> {
  const shown = redactUrl(options.url);
  const client = mqtt.connect(options.url, {
    clientId: `opendimo-node-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    reconnectPeriod: 1000,
  });
  client.on('error', (err) => options.logger.warn({ broker: shown, err: err.message }, 'mqtt connection error'));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), options.connectTimeoutMs ?? 10_000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (err) {
    await client.endAsync(true);
    throw new OdmError('ODM_ERR_MQTT_UNAVAILABLE', `cannot connect to the MQTT broker at ${shown}`, {
      cause: err,
      details: { broker: shown },
    });
  }
  return {
    kind: 'external',
    client,
    url: options.url,
    probe: async () =>
      client.connected ? { ok: true, detail: `connected to ${shown}` } : { ok: false, detail: `reconnecting to ${shown}` },
    async stop() {
      await client.endAsync();
    },
  };
}

/** Broker URLs may carry credentials; logs and health show them masked. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}
