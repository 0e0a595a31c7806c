// Builds the dashboard (web/) into web/dist with Vite, unless web/dist already holds a build of the same
// sources. Run by `npm install` (postinstall), `npm run build:web`, and by the node at start (as a child
// process, `--if-stale`), so a changed checkout is rebuilt without a separate step.
//
//   node scripts/build-web.mjs [--if-stale] [--quiet] [--json]
//
// Plain JavaScript so it runs under any Node that npm uses. Several nodes may start at once on one
// checkout: a lock file lets one build while the others wait, and the build lands in a temporary folder
// that replaces web/dist in one rename, so a running node never serves half a build.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = fileURLToPath(new URL('../web/', import.meta.url));
const DIST = join(WEB, 'dist');
const LOCK = join(WEB, '.build.lock');
const INFO = '.build-info.json';
const SKIP = new Set(['dist', 'node_modules', '.build.lock']);

const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const json = args.has('--json');

function say(line) {
  if (!quiet && !json) process.stdout.write(`${line}\n`);
}

/** sha256 over every source file of web/ (path and content), in a stable order. */
export function sourcesHash(web = WEB) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (SKIP.has(name) || name.startsWith('.dist-')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(web);
  // Node modules the dashboard imports (e.g. the EIP-712 types) are part of its build too.
  const outside = new Set();
  for (const f of files) {
    if (!/\.(ts|tsx)$/.test(f)) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(f), m[1]);
      if (relative(web, target).startsWith('..') && existsSync(target)) outside.add(target);
    }
  }
  files.push(...outside);
  files.sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(relative(web, f).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(f));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function builtHash() {
  try {
    return JSON.parse(readFileSync(join(DIST, INFO), 'utf8')).hash;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Takes the build lock, waiting (up to 5 minutes) while another live process holds it. */
async function lock() {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(LOCK, 'utf8'));
    } catch {
      continue; // released between our two calls
    }
    if (!Number.isInteger(holder) || !alive(holder)) {
      rmSync(LOCK, { force: true }); // left behind by a killed build
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build (pid ${holder}) holds ${LOCK}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Folders left by builds that were killed midway (their process is gone). */
function sweepLeftovers() {
  for (const name of readdirSync(WEB)) {
    const m = /^\.dist-(?:old-)?(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(join(WEB, name), { recursive: true, force: true });
  }
}

async function build(hash) {
  sweepLeftovers();
  const { build: viteBuild } = await import('vite');
  const tmp = join(WEB, `.dist-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  await viteBuild({
    configFile: join(WEB, 'vite.config.ts'),
    logLevel: quiet || json ? 'error' : 'warn',
    build: { outDir: tmp, emptyOutDir: true },
  });
  writeFileSync(join(tmp, INFO), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
  // Swap: the old build moves aside, the new one takes its name, the old one goes.
  const old = join(WEB, `.dist-old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });
  return Date.now() - started;
}

async function main() {
  const ifStale = args.has('--if-stale');
  mkdirSync(WEB, { recursive: true });
  let hash = sourcesHash();
  if (ifStale && builtHash() === hash) {
    if (json) process.stdout.write(`${JSON.stringify({ built: false, fresh: true, hash })}\n`);
    else say('opendimo: the dashboard (web/dist) is up to date');
    return;
  }
  await lock();
  try {
    hash = sourcesHash();
    // Another process may have built these very sources while we waited.
    if (ifStale && builtHash() === hash) {
      if (json) process.stdout.write(`${JSON.stringify({ built: false, fresh: true, hash })}\n`);
      return;
    }
    say('opendimo: building the dashboard (web/ → web/dist)…');
    const ms = await build(hash);
    if (json) process.stdout.write(`${JSON.stringify({ built: true, fresh: true, hash, ms })}\n`);
    else say(`opendimo: dashboard built in ${(ms / 1000).toFixed(1)} s`);
  } finally {
    rmSync(LOCK, { force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    const message = err instanceof Error ? err.message : String(err);
    if (json) process.stdout.write(`${JSON.stringify({ built: false, fresh: false, error: message })}\n`);
    process.stderr.write(
      `opendimo: the dashboard (web/) did not build: ${message.split('\n').slice(0, 8).join('\n')}\n` +
        'The node still runs without it (the API is unaffected) and tries again at start; rebuild with `npm run build:web`.\n',
    );
    // Install goes on (the dashboard is optional for the API); `npm run build:web` asks for a failure.
    process.exit(args.has('--strict') ? 1 : 0);
  });
}
