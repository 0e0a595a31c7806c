import type { Command } from 'commander';
import { runNode } from '../run-node.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run a complete node on this machine with embedded defaults: local chain (anvil) with the contracts deployed, SQLite, MQTT broker, HTTP API (what `npm start` runs)')
    .option('-p, --port <port>', 'HTTP port (env OPENDIMO_HTTP_PORT, default 8780)')
    .option('--host <host>', 'HTTP host (env OPENDIMO_HTTP_HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'where chain state, database and keys live (env OPENDIMO_DATA_DIR, default ./.opendimo)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace (env OPENDIMO_LOG_LEVEL)')
    .action(async (flags: { port?: string; host?: string; dataDir?: string; logLevel?: string }) => {
      await runNode({
        mode: 'dev',
        overrides: { 'http.port': flags.port, 'http.host': flags.host, dataDir: flags.dataDir, 'log.level': flags.logLevel },
      });
    });
}
