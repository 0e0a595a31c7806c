import type { Command } from 'commander';
import { runNode } from '../run-node.ts';

export function registerNode(program: Command): void {
  program
    .command('node')
    .description('run a production node from a JSON config file and OPENDIMO_* environment variables; each part is external when configured (OPENDIMO_DATABASE_URL, OPENDIMO_RPC_URL + OPENDIMO_DEPLOYMENT_FILE, OPENDIMO_MQTT_URL) and embedded otherwise')
    .option('-c, --config <file>', 'JSON config file (env OPENDIMO_CONFIG)')
    .option('-p, --port <port>', 'HTTP port (env OPENDIMO_HTTP_PORT)')
    .option('--host <host>', 'HTTP host (env OPENDIMO_HTTP_HOST)')
    .option('-d, --data-dir <dir>', 'data dir (env OPENDIMO_DATA_DIR)')
    .option('-r, --role <roles>', 'what this process does in a cluster: all (default), api, ingest, indexer, or a comma-separated list (env OPENDIMO_ROLE)')
    .action(async (flags: { config?: string; port?: string; host?: string; dataDir?: string; role?: string }) => {
      await runNode({
        mode: 'node',
        ...(flags.config ? { configFile: flags.config } : {}),
        overrides: { 'http.port': flags.port, 'http.host': flags.host, dataDir: flags.dataDir, roles: flags.role, 'log.pretty': false },
      });
    });
}
