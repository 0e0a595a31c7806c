// ABIs for decoding events: the embedded chain hands over the artifacts it compiled; for an external
// chain the contracts are compiled here (cached in the data dir, so only the first start pays).
import { join } from 'node:path';
import type { Abi } from 'viem';
import type { Logger } from '../../core/logger.ts';
import type { Artifacts } from '../artifacts.ts';
import { compileContracts } from '../compile.ts';

export async function contractAbis(opts: { artifacts?: Artifacts; dataDir: string; logger: Logger }): Promise<Record<string, Abi>> {
  const artifacts = opts.artifacts ?? (await compileContracts({ logger: opts.logger, cacheDir: join(opts.dataDir, 'cache') }));
  return Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.abi]));
}
