// Runs the real `opendimo` CLI as a child process, the way a user does, for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliProcess {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const proc = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, OPENDIMO_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => text, exited };
}

export interface HealthBody {
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; detail: string }>;
}

/** Polls /health until every check is ok; fails with the last report after the deadline. */
export function waitForHealthy(url: string, timeoutMs: number, cli?: CliProcess): Promise<HealthBody> {
  return waitForHealth(url, (res, body) => res.status === 200 && body.status === 'ok', timeoutMs, cli);
}

/** Polls /health until `accept` holds; fails with the last report after the deadline. */
export async function waitForHealth(
  url: string,
  accept: (res: Response, body: HealthBody) => boolean,
  timeoutMs: number,
  cli?: CliProcess,
): Promise<HealthBody> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (cli && cli.proc.exitCode !== null) throw new Error(`node exited (${cli.proc.exitCode}) before healthy:\n${cli.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      const body = (await res.json()) as HealthBody;
      if (accept(res, body)) return body;
      last = JSON.stringify(body);
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/health not as expected within ${timeoutMs} ms; last: ${last}${cli ? `\noutput:\n${cli.output()}` : ''}`);
}

/** Every process below `pid` (Linux /proc), so a test can check none outlives its parent. */
export function descendants(pid: number): number[] {
  const found: number[] = [];
  const walk = (p: number) => {
    for (const task of safeList(`/proc/${p}/task`)) {
      const children = safeRead(`/proc/${p}/task/${task}/children`).trim();
      for (const c of children ? children.split(/\s+/).map(Number) : []) {
        found.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) until reaped; it is not running.
  return !/^\S+ \(.*\) Z/.test(safeRead(`/proc/${pid}/stat`));
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
