// A throwaway PostgreSQL server for tests, and a helper that runs one suite against SQLite and
// PostgreSQL. The server lives in a fresh temp dir (initdb, trust auth, fsync off) on a free loopback
// port; one per test file, with a new database per test for isolation.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { silentLogger, type Logger } from '../../src/core/logger.ts';
import { freePort } from '../../src/core/ports.ts';
import { openStore, type OpenStoreOptions } from '../../src/store/open-store.ts';
import type { Store, StoreDialect } from '../../src/store/store.ts';

export interface TestPostgres {
  /** URL of an empty database `opendimo_test` (user postgres, no password). */
  url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(): Promise<string>;
  /** Temp dir holding the cluster and its socket; gone after stop(). */
  dir: string;
  /** Fast shutdown, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export const POSTGRES_NOT_INSTALLED = 'PostgreSQL server not installed (apt-get install postgresql)';

const READY_TIMEOUT_MS = 30_000;

/** Finds a directory holding both `initdb` and `postgres`: PATH first, then Debian's highest version. */
export function findPostgresBinDir(pathEnv = process.env.PATH ?? '', root = '/usr/lib/postgresql'): string | undefined {
  const hasBoth = (dir: string) => ['initdb', 'postgres'].every((b) => isExecutable(join(dir, b)));
  for (const dir of pathEnv.split(delimiter)) if (dir && hasBoth(dir)) return dir;
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (hasBoth(join(root, v, 'bin'))) return join(root, v, 'bin');
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The server refuses to run as root, so as root we run it as the `postgres` user (or `nobody`). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = lines.find((l) => l.startsWith(`${name}:`))?.split(':');
    if (fields?.[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root but neither a postgres nor a nobody user exists to run PostgreSQL');
}

export interface StartPostgresOptions {
  logger?: Logger;
  /** Where the server binaries are; defaults to findPostgresBinDir. Tests of the harness override it. */
  findBinDir?: () => string | undefined;
}

/**
 * Starts a throwaway server, or reports why it cannot: `{ skipped }` when PostgreSQL is not
 * installed — except under CI=true, where that throws (CI must run the PostgreSQL half).
 */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<TestPostgres | { skipped: string }> {
  const bin = (opts.findBinDir ?? findPostgresBinDir)();
  if (bin === undefined) {
    if (process.env.CI === 'true') throw new Error(`${POSTGRES_NOT_INSTALLED}; CI must run the PostgreSQL tests`);
    return { skipped: POSTGRES_NOT_INSTALLED };
  }
  const started = Date.now();
  const user = unprivilegedUser();
  // root's TMPDIR may not be reachable by the postgres user; /tmp always is.
  const dir = mkdtempSync(join(user ? '/tmp' : tmpdir(), 'opendimo-pg-'));
  const dataDir = join(dir, 'data');
  const spawnOpts = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...(user ?? {}) };
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], spawnOpts);
    // freePort can race with another process; postgres then fails to bind and we try another port.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // Output goes to a file, not a pipe: an unref'd child with no pipes never holds the test
      // process open, even if a test forgets stop() (the exit hook and watchdog then clean up).
      const logPath = join(dir, `postgres-${attempt}.log`);
      const logFd = openSync(logPath, 'a');
      const child = spawn(
        join(bin, 'postgres'),
        ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
          '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        { ...spawnOpts, stdio: ['ignore', logFd, logFd] },
      );
      closeSync(logFd);
      child.unref();
      const log = captureTail(child, logPath);
      try {
        await waitReady(child, port, log);
      } catch (err) {
        await stopChild(child);
        if (attempt < 3 && /address already in use|could not bind/i.test(log.text())) continue;
        throw err;
      }
      const server = track(child, dir);
      const admin = { host: '127.0.0.1', port, user: 'postgres' };
      let counter = 0;
      const createDatabase = async (name = `t${++counter}_${process.pid}`): Promise<string> => {
        const client = new pg.Client({ ...admin, database: 'postgres' });
        await client.connect();
        try {
          await client.query(`create database ${pg.escapeIdentifier(name)}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      };
      let url: string;
      try {
        url = await createDatabase('opendimo_test');
      } catch (err) {
        await server.stop();
        throw err;
      }
      opts.logger?.debug({ bin, port, dir, ms: Date.now() - started }, 'test PostgreSQL started');
      return { url, createDatabase, dir, stop: server.stop };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

function run(cmd: string, args: string[], options: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = captureTail(child);
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code ?? signal}:\n${log.text()}`)),
    );
  });
}

/**
 * Keeps the last few KB of a child's output (the pipes must be drained or the server blocks), and
 * its spawn error if any (an unhandled 'error' event would crash the test process).
 */
function captureTail(child: ChildProcess, logPath?: string): { text(): string; failed(): boolean } {
  let buf = '';
  let failed = false;
  const add = (chunk: Buffer | string) => {
    buf = (buf + chunk.toString()).slice(-8192);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  child.on('error', (err) => {
    failed = true;
    add(`\n${err.message}`);
  });
  const fromFile = () => {
    try {
      return logPath ? readFileSync(logPath, 'utf8').slice(-8192) : '';
    } catch {
      return '';
    }
  };
  return { text: () => fromFile() + buf, failed: () => failed };
}

async function waitReady(child: ChildProcess, port: number, log: { text(): string; failed(): boolean }): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || log.failed()) {
      throw new Error(`postgres exited during startup:\n${log.text()}`);
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`postgres not ready within ${READY_TIMEOUT_MS} ms:\n${log.text()}`);
}

/** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) and SIGKILL if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // keep this process alive until the server has really gone
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const within = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  child.kill('SIGINT');
  if (await within(10_000)) return;
  child.kill('SIGQUIT');
  if (await within(5_000)) return;
  child.kill('SIGKILL');
  await exited;
}

const live = new Set<{ child: ChildProcess; watchdog: ChildProcess }>();
let exitHookInstalled = false;

/**
 * Makes sure the server dies with the test process: on a normal exit we signal it directly; a
 * detached shell watchdog covers kill -9 and signals (it polls our pid, then stops the server and
 * removes the temp dir).
 */
function track(child: ChildProcess, dir: string): { stop(): Promise<void> } {
  const pgPid = child.pid;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -QUIT ${pgPid} 2>/dev/null; ` +
    `while kill -0 ${pgPid} 2>/dev/null; do sleep 0.1; done; rm -rf '${dir}'`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const entry = { child, watchdog };
  live.add(entry);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const e of live) e.child.kill('SIGQUIT');
    });
  }
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        live.delete(entry);
        watchdog.kill('SIGKILL');
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      })()),
  };
}

// ---------------------------------------------------------------------------------------------------
// Running one suite against both stores.

export interface StoreTarget {
  dialect: StoreDialect;
  /** A fresh, empty database: a new temp data dir, and for PostgreSQL a new database on this file's server. */
  fresh(): Promise<{ databaseUrl: string | undefined; dataDir: string }>;
  /**
   * openStore (migrated unless `migrate: false`) on a fresh database; any option given wins, so pass
   * the dataDir (and for PostgreSQL the databaseUrl) of an earlier store to reopen it. Stores and
   * temp dirs are cleaned up after the suite.
   */
  open(opts?: Partial<OpenStoreOptions>): Promise<Store>;
}

let shared: Promise<TestPostgres | { skipped: string }> | undefined;
let sharedUsers = 0;

/** One server per test file, started on first use and stopped when the last suite using it ends. */
async function acquireSharedPostgres(): Promise<TestPostgres | { skipped: string }> {
  sharedUsers++;
  shared ??= startPostgres();
  return shared;
}

async function releaseSharedPostgres(): Promise<void> {
  if (--sharedUsers > 0 || shared === undefined) return;
  const server = await shared;
  shared = undefined;
  if (!('skipped' in server)) await server.stop();
}

/**
 * Declares `describe(name)` with two halves, `sqlite` and `postgres`, each calling `fn` with a target.
 * Where PostgreSQL is not installed (and CI is not set) the postgres half shows as skipped with why.
 */
export function describeBothStores(name: string, fn: (target: StoreTarget) => void): void {
  describe(name, async () => {
    describe('sqlite', () => fn(makeTarget('sqlite', undefined)));
    const server = await acquireSharedPostgres();
    after(releaseSharedPostgres);
    describe('postgres', () => {
      // A skipped test (not just a skipped suite) so the run's closing "skipped" count shows it.
      if ('skipped' in server) it(`every ${name} case`, { skip: server.skipped }, () => undefined);
      else fn(makeTarget('postgres', server));
    });
  });
}

function makeTarget(dialect: StoreDialect, server: TestPostgres | undefined): StoreTarget {
  const dirs: string[] = [];
  const stores: Store[] = [];
  after(async () => {
    await Promise.allSettled(stores.map((s) => s.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  });
  const fresh = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), `opendimo-${dialect}-`));
    dirs.push(dataDir);
    return { dataDir, databaseUrl: server ? await server.createDatabase() : undefined };
  };
  return {
    dialect,
    fresh,
    open: async (opts = {}) => {
      const hasUrl = 'databaseUrl' in opts;
      const made = opts.dataDir === undefined || !hasUrl ? await fresh() : undefined;
      const databaseUrl = hasUrl ? opts.databaseUrl : made?.databaseUrl;
      const store = await openStore({
        logger: silentLogger(),
        ...opts,
        dataDir: opts.dataDir ?? made?.dataDir ?? '',
        ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      });
      stores.push(store);
      return store;
    },
  };
}
