// The embedded MQTT broker (aedes) on loopback, for the single-machine node. Production points
// OPENDIMO_MQTT_URL at an external broker instead.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { MqttService } from './mqtt-service.ts';

export interface EmbeddedBroker extends MqttService {
  broker: Aedes;
  port: number;
}

export async function startEmbeddedBroker(options: { host: string; port: number; logger: Logger }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  broker.on('clientError', (client, err) => options.logger.debug({ clientId: client.id, err: err.message }, 'mqtt client error'));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new OdmError('ODM_ERR_MQTT_UNAVAILABLE', `embedded MQTT broker cannot listen on ${options.host}:${options.port}`, { cause: err });
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let stopped = false;
  return {
    kind: 'embedded',
    broker,
    port,
    url: `mqtt://${options.host}:${port}`,
    probe: async () =>
      server.listening && !broker.closed
        ? { ok: true, detail: `embedded broker on ${options.host}:${port}, ${broker.connectedClients} clients` }
        : { ok: false, detail: 'embedded broker stopped' },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
