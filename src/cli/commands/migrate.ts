import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import { createLogger } from '../../core/logger.ts';
import { openStore } from '../../store/open-store.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (SQLite in the data dir, or OPENDIMO_DATABASE_URL) and exit')
    .option('--database-url <url>', 'postgres://… (env OPENDIMO_DATABASE_URL); default: SQLite in the data dir')
    .option('-d, --data-dir <dir>', 'data dir (env OPENDIMO_DATA_DIR)')
    .action(async (flags: { databaseUrl?: string; dataDir?: string }) => {
      const config = loadConfig({ mode: 'node', overrides: { databaseUrl: flags.databaseUrl, dataDir: flags.dataDir } });
      const logger = createLogger({ level: 'warn' });
      const store = await openStore({ dataDir: config.dataDir, logger, migrate: false, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
      try {
        const { applied } = await store.migrate();
        process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n');
      } finally {
        await store.close();
      }
    });
}
