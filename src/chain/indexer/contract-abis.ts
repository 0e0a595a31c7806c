// ABIs for decoding events: the embedded chain hands over the artifacts it compiled. For an external chain
// they come from a compile cache: first the one `opendimo chain deploy` fills (<repo>/.cache/solc, a hit
// when the operator deployed from this install), then the data dir's own; solc runs only when neither has
// them. One compile per cache dir and process, however many modules ask.
import { join } from 'node:path';
import type { Abi } from 'viem';
import type { Logger } from '../../core/logger.ts';
import type { Artifacts } from '../artifacts.ts';
import { compileContracts, defaultCacheDir } from '../compile.ts';

const compiled = new Map<string, Promise<Artifacts>>();

function compileOnce(cacheDir: string, logger: Logger): Promise<Artifacts> {
  let running = compiled.get(cacheDir);
  if (!running) {
    running = compileContracts({ logger, cacheDir });
    compiled.set(cacheDir, running);
    running.catch(() => compiled.delete(cacheDir));
  }
  return running;
}

export async function contractAbis(opts: { artifacts?: Artifacts; dataDir: string; logger: Logger }): Promise<Record<string, Abi>> {
  const toAbis = (artifacts: Artifacts) => Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, a.abi]));
  if (opts.artifacts) return toAbis(opts.artifacts);
  try {
    return toAbis(await compileOnce(defaultCacheDir(), opts.logger));
  } catch (err) {
    // e.g. a read-only install: keep the build in the data dir instead.
    opts.logger.debug({ reason: err instanceof Error ? err.message : String(err) }, 'shared compile cache unusable; compiling into the data dir');
    return toAbis(await compileOnce(join(opts.dataDir, 'cache'), opts.logger));
  }
}
