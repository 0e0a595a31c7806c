import type { Command } from 'commander';
import { OdmError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { startEmulator } from '../../../emulator/emulator.ts';
import { describeUrls } from '../../../emulator/urls-text.ts';

interface EmulatorFlags {
  port?: string;
  seed?: string;
  tesla?: string;
  smartcar?: string;
  rateLimits?: boolean;
  logLevel?: string;
}

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new OdmError('ODM_ERR_VALIDATION', `--${name} must be a whole number from 0 to 100000`);
  return n;
}

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('run the Tesla Fleet API and Smartcar emulator with a seeded simulated fleet on loopback, and print its URLs (see emulator/README.md)')
    .option('-p, --port <port>', 'first of six consecutive ports (control plane, Tesla auth, Tesla NA, Tesla EU, Smartcar auth, Smartcar API); default: free ports')
    .option('--seed <seed>', 'seed for the fleet and everything random', 'opendimo')
    .option('--tesla <n>', 'Tesla accounts (1–3 vehicles each)', '5')
    .option('--smartcar <n>', 'Smartcar accounts (1–3 vehicles each)', '5')
    .option('--no-rate-limits', 'do not apply the per-vehicle rate limits')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace', 'info')
    .action(async (flags: EmulatorFlags) => {
      const basePort = flags.port === undefined ? undefined : Number(flags.port);
      if (basePort !== undefined && (!Number.isInteger(basePort) || basePort < 1 || basePort > 65530)) throw new OdmError('ODM_ERR_VALIDATION', '--port must be a port number from 1 to 65530');
      const logger = createLogger({ level: (flags.logLevel ?? 'info') as 'info', name: 'opendimo-emulator' });
      const emulator = await startEmulator({
        seed: flags.seed ?? 'opendimo',
        fleet: { tesla: count(flags.tesla, 5, 'tesla'), smartcar: count(flags.smartcar, 5, 'smartcar') },
        ...(basePort !== undefined ? { basePort } : {}),
        ...(flags.rateLimits === false ? { rateLimits: false as const } : {}),
        logger,
      });
      const stop = () => {
        emulator.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      const { state } = emulator;
      const clients = state.clients.map((c) => `  ${c.oem.padEnd(9)} client_id=${c.clientId} client_secret=${c.clientSecret}`);
      process.stdout.write([
        `opendimo OEM emulator is up (seed ${state.seed}, ${state.fleet.accounts.length} accounts, ${state.fleet.vehicles.length} vehicles)`,
        ...describeUrls(emulator.urls),
        'OAuth clients:',
        ...clients,
        `Accounts: ${emulator.urls.control}/_emulator/accounts · log in without a browser with &login_hint=<account>&auto=1`,
        'Press Ctrl-C to stop.',
      ].join('\n') + '\n');
    });
}
