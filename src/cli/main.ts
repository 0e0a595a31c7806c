// The `opendimo` command. Each command lives in its own file under commands/.
import { Command } from 'commander';
import { isOdmError } from '../core/errors.ts';
import { registerChain } from './commands/chain.ts';
import { registerDev } from './commands/dev.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerGov } from './commands/gov.ts';
import { registerIssuance } from './commands/issuance.ts';
import { registerLicense } from './commands/license.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerNode } from './commands/node.ts';
import { registerPay } from './commands/pay.ts';
import { registerRewards } from './commands/rewards.ts';
import { registerMetrics } from './commands/metrics.ts';

export function buildProgram(): Command {
  const program = new Command('opendimo')
    .description('opendimo: an open node and protocol for connected-vehicle data that owners control')
    .showHelpAfterError();
  registerDev(program);
  registerNode(program);
  registerChain(program);
  registerMigrate(program);
  registerLicense(program);
  registerGov(program);
  registerIssuance(program);
  registerPay(program);
  registerRewards(program);
  registerMetrics(program);
  registerEmulator(program);
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (isOdmError(err)) {
    process.stderr.write(`opendimo: ${err.code}: ${err.message}\n`);
  } else {
    process.stderr.write(`opendimo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
}
