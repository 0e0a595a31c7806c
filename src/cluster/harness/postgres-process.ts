// A throw-away PostgreSQL server from Debian's binaries (apt-get install postgresql) in a temp dir on a
// loopback port (initdb, trust auth, fsync off), for the cluster harness and the tests. It can be
// stopped and started again on the same port and data dir, as a database restart under load.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { freePort } from '../../core/ports.ts';
import { guardChild, type Guard } from './child-guard.ts';
import { isExecutable, requireBinary, spawnLogged, stopChild as stopWith } from './debian-server.ts';

export const POSTGRES_APT = 'apt-get install postgresql';
const READY_TIMEOUT_MS = 30_000;

export interface PostgresProcess {
  /** URL of the empty database named in the options (user postgres, no password). */
  url: string;
  port: number;
  /** Temp dir holding the cluster and its socket; gone after stop(). */
  dir: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown, keeping the data dir (start() brings it back). */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data dir. */
  start(): Promise<void>;
  /** halt() then start(). */
  restart(): Promise<void>;
  /** The postmaster's pid while running. */
  pid(): number | undefined;
  /** Fast shutdown, then removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface PostgresProcessOptions {
  logger?: Logger;
  /** Where the server binaries are; defaults to findPostgresBinDir. */
  findBinDir?: () => string | undefined;
  /** Name of the database `url` points at. */
  database?: string;
}

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

/** The server refuses to run as root, so as root we run it as the `postgres` user (or `nobody`). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = lines.find((l) => l.startsWith(`${name}:`))?.split(':');
    if (fields?.[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new OdmError('ODM_ERR_CONFIG_INVALID', 'running as root but neither a postgres nor a nobody user exists to run PostgreSQL');
}

export async function startPostgresProcess(opts: PostgresProcessOptions = {}): Promise<PostgresProcess> {
  const bin = requireBinary((opts.findBinDir ?? findPostgresBinDir)(), 'PostgreSQL server', POSTGRES_APT);
  const started = Date.now();
  const user = unprivilegedUser();
  // root's TMPDIR may not be reachable by the postgres user; /tmp always is.
  const dir = mkdtempSync(join(user ? '/tmp' : tmpdir(), 'opendimo-pg-'));
  const dataDir = join(dir, 'data');
  const spawnOpts = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, ...(user ?? {}) };
  let child: ChildProcess | undefined;
  let guard: Guard | undefined;
  let port = 0;
  let starts = 0;

  // freePort can race with another process; postgres then fails to bind and (first start only) we try another port.
  const launch = async (fixedPort: boolean) => {
    for (let attempt = 1; ; attempt++) {
      if (!fixedPort) port = await freePort();
      const logPath = join(dir, `postgres-${++starts}.log`);
      const c = spawnLogged(
        join(bin, 'postgres'),
        ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
          '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
        logPath,
        // Its own process group, so a Ctrl-C meant for the caller does not stop it under the nodes.
        { ...spawnOpts, detached: true },
      );
      const log = captureTail(c, logPath);
      try {
        await waitReady(c, port, log);
      } catch (err) {
        await stopChild(c);
        if (!fixedPort && attempt < 3 && /address already in use|could not bind/i.test(log.text())) continue;
        throw err;
      }
      child = c;
      guard = guardChild(c, { signal: 'QUIT', removeDir: dir });
      return;
    }
  };

  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c) return;
    await stopChild(c);
    guard?.release();
  };

  try {
    if (user) chownSync(dir, user.uid, user.gid);
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], spawnOpts);
    await launch(false);
    let counter = 0;
    const createDatabase = async (name = `t${++counter}_${process.pid}`): Promise<string> => {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        await client.query(`create database ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    };
    const url = await createDatabase(opts.database ?? 'opendimo');
    opts.logger?.debug({ bin, port, dir, ms: Date.now() - started }, 'PostgreSQL started');
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      dir,
      createDatabase,
      halt,
      start: async () => {
        if (!child) await launch(true);
      },
      restart: async () => {
        await halt();
        await launch(true);
      },
      pid: () => child?.pid,
      stop: () =>
        (stopping ??= (async () => {
          await halt();
          rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
        })()),
    };
  } catch (err) {
    if (child) await halt();
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
 * its spawn error if any (an unhandled 'error' event would crash the caller).
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
      throw new OdmError('ODM_ERR_DB_UNAVAILABLE', `postgres exited during startup:\n${log.text()}`);
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
  throw new OdmError('ODM_ERR_DB_UNAVAILABLE', `postgres not ready within ${READY_TIMEOUT_MS} ms:\n${log.text()}`);
}

/** Fast shutdown (SIGINT), escalating to immediate (SIGQUIT) and SIGKILL if it hangs. */
function stopChild(child: ChildProcess): Promise<void> {
  return stopWith(child, [['SIGINT', 10_000], ['SIGQUIT', 5_000]]);
}
