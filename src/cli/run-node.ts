// Runs a node in the foreground until SIGINT/SIGTERM, then stops every component before exiting.
import { loadConfig, type LoadConfigOptions } from '../config/load-config.ts';
import { createLogger } from '../core/logger.ts';
import { startNode } from '../node/start-node.ts';

export async function runNode(options: LoadConfigOptions): Promise<void> {
  const config = loadConfig(options);
  const logger = createLogger({ level: config.log.level, ...(config.log.pretty === undefined ? {} : { pretty: config.log.pretty }) });
  const node = await startNode(config, { logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const { urls } = node;
  const lines = [
    `opendimo ${config.mode} node is up`,
    `  API        ${urls.http}`,
    `  health     ${urls.health}`,
    `  metrics    ${urls.metrics}`,
    `  chain RPC  ${urls.rpc} (chain ${node.services.chain.chainId}, ${node.services.chain.kind})`,
    `  MQTT       ${urls.mqtt} (${node.services.mqtt.kind})`,
    `  database   ${node.services.store.dialect}`,
    `  data dir   ${config.dataDir}`,
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
