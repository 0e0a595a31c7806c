// `npm run bench -- <name> [--json]`: runs bench/<name>.bench.ts. Each bench exports
// `run(reporter, args)` and measures its physical limit in the same run so ratios are meaningful.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReporter, type Reporter } from './report.ts';

export type BenchMain = (reporter: Reporter, args: string[]) => Promise<void>;

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();

const args = process.argv.slice(2);
const json = args.includes('--json');
const positional = args.filter((a) => !a.startsWith('--'));
const name = positional[0];

if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [--json]\navailable: ${available.join(', ') || '(none)'}\n`);
  process.exit(name ? 1 : 0);
}

const mod = (await import(join(here, `${name}.bench.ts`))) as { run: BenchMain };
await mod.run(createReporter(name, json), positional.slice(1));
