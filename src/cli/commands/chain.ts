import type { Command } from 'commander';
import type { Hex } from 'viem';
import { resolve } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { runDeployCommand } from '../../chain/deploy-command.ts';

export function registerChain(program: Command): void {
  const chain = program.command('chain').description('protocol contracts on an EVM chain');
  chain
    .command('deploy')
    .description('compile the contracts and deploy them to the chain at --rpc with the key in OPENDIMO_DEPLOYER_KEY; prints the deployment (chain id, addresses, block) as JSON, which `opendimo node` reads through OPENDIMO_DEPLOYMENT_FILE')
    .requiredOption('--rpc <url>', 'JSON-RPC URL of the chain')
    .option('--out <file>', 'also write the deployment JSON to this file')
    .option('--cache-dir <dir>', 'compiled-contract cache', '.cache/solc')
    .action(async (flags: { rpc: string; out?: string; cacheDir: string }) => {
      const key = process.env.OPENDIMO_DEPLOYER_KEY;
      if (!key) {
        throw new OdmError('ODM_ERR_CONFIG_INVALID', 'set OPENDIMO_DEPLOYER_KEY to the 0x-prefixed private key that pays for the deployment');
      }
      const logger = createLogger({ level: 'warn', pretty: false });
      const deployment = await runDeployCommand({
        rpcUrl: flags.rpc,
        privateKey: key as Hex,
        logger,
        cacheDir: resolve(flags.cacheDir),
        ...(flags.out ? { out: resolve(flags.out) } : {}),
      });
      process.stdout.write(JSON.stringify(deployment, null, 2) + '\n');
    });
}
