// The embedded chain: anvil (from the @foundry-rs/anvil npm package) as a child process on loopback,
// optionally persisting its state in a file so the chain survives restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { freePort } from '../core/ports.ts';
import { anvilBinaryPath } from './anvil-binary.ts';
import { killStaleAnvil, removePidFile, writePidFile } from './anvil-pid-file.ts';
import { disarmAnvilWatchdog, startAnvilWatchdog } from './anvil-watchdog.ts';
import { backupStateFile, prepareStateFile } from './anvil-state-file.ts';
import { EMBEDDED_CHAIN_ID } from './constants.ts';

export interface StartAnvilOptions {
  logger: Logger;
  /** Interface to listen on; loopback by default, since anvil's dev accounts are unlocked. */
  host?: string;
  /** Defaults to a free port. */
  port?: number;
  /** Load the chain from this file at start, dump it there periodically and on exit. */
  stateFile?: string;
  chainId?: number;
  /** Records anvil's pid; a live anvil named here at start is a leftover of a crashed run and is ended. */
  pidFile?: string;
  /** Seconds between periodic state dumps (bounds what a crash loses). Default 5. */
  stateIntervalSeconds?: number;
  /** How long to wait for JSON-RPC to answer. Default 30 s (loading a large state takes a while). */
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM (anvil dumps state then) before SIGKILL. Default 15 s. */
  stopTimeoutMs?: number;
}

export interface AnvilHandle {
  rpcUrl: string;
  chainId: number;
  pid: number;
  /** SIGTERM, wait for exit (state dumped), SIGKILL after a timeout. Safe to call more than once. */
  stop(): Promise<void>;
}

const TAIL_LINES = 40;
// Anvil prints its dev accounts' private keys and mnemonic in a start banner that ends with this line;
// nothing before it is logged or kept.
const LISTENING = /^Listening on (\S+)/;
// Belt and braces: never pass on a line that looks like a key listing or the mnemonic.
const SECRET_LINE = /^\s*\(\d+\)\s+0x[0-9a-fA-F]{64}\b|mnemonic/i;

// Children still running, ended if this process exits without stopping them (a test that forgot).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  live.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

export async function startAnvil(opts: StartAnvilOptions): Promise<AnvilHandle> {
  const log = opts.logger.child({ component: 'anvil' });
  const host = opts.host ?? '127.0.0.1';
  const binary = anvilBinaryPath();
  if (opts.pidFile) await killStaleAnvil(opts.pidFile, log);
  if (opts.stateFile) await prepareStateFile(opts.stateFile, log);
  // A port we picked can be taken by someone else before anvil binds it; then pick another.
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort(host));
    try {
      return await launch(binary, host, port, opts, log);
    } catch (err) {
      const inUse = err instanceof OdmError && err.details.addressInUse === true;
      if (!inUse || attempt >= attempts) throw err;
      log.debug({ port }, 'port taken before anvil bound it; retrying on another');
    }
  }
}

async function launch(binary: string, host: string, port: number, opts: StartAnvilOptions, log: Logger): Promise<AnvilHandle> {
  const chainId = opts.chainId ?? EMBEDDED_CHAIN_ID;
  const args = ['--host', host, '--port', String(port), '--chain-id', String(chainId), '--color', 'never'];
  if (opts.stateFile) {
    args.push('--state', opts.stateFile, '--state-interval', String(opts.stateIntervalSeconds ?? 5));
  }
  const rpcUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const remember = (line: string): void => {
    if (SECRET_LINE.test(line)) return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close' (not 'exit') so the last stderr lines are read before we report a failed start.
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) resolve({ code: null, signal: null }); // never started (ENOENT, EACCES)
    });
  });

  let listening = false;
  let resolveListening: () => void = () => {};
  const listeningSeen = new Promise<void>((resolve) => {
    resolveListening = resolve;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!listening) {
      if (LISTENING.test(line)) {
        listening = true;
        resolveListening();
      }
      return;
    }
    if (SECRET_LINE.test(line)) return;
    remember(line);
    log.debug({ line }, 'anvil');
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    remember(line);
    log.warn({ line }, 'anvil stderr');
  });

  const fail = (message: string, extra: Record<string, unknown> = {}, cause?: unknown): OdmError => {
    const stderrTail = tail.slice(-15);
    const addressInUse = stderrTail.some((l) => /address already in use/i.test(l));
    return new OdmError('ODM_ERR_CHAIN_START_FAILED', `${message}${stderrTail.length ? `: ${stderrTail.at(-1)}` : ''}`, {
      details: { rpcUrl, args, tail: stderrTail, addressInUse, ...extra },
      cause: cause ?? spawnError,
    });
  };

  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
  const outcome = await Promise.race([listeningSeen.then(() => 'listening' as const), exited.then(() => 'exited' as const), timer]);
  if (outcome !== 'listening') {
    child.kill('SIGKILL');
    const { code, signal } = await exited;
    if (outcome === 'timeout') throw fail(`anvil did not start listening within ${timeoutMs} ms`);
    if (spawnError) throw fail(`could not run anvil at ${binary} (${spawnError.message})`);
    throw fail(`anvil exited during start (code ${code ?? signal})`, { code, signal });
  }

  // Our child printed that it listens, so the answer below comes from it and not from a stranger on the port.
  try {
    const answered = await rpcChainId(rpcUrl);
    if (answered !== chainId) throw new Error(`chain id ${answered}, expected ${chainId}`);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw fail('anvil is listening but JSON-RPC does not answer correctly', {}, err);
  }

  const pid = child.pid!;
  trackChild(child);
  const watchdog = startAnvilWatchdog(pid);
  if (opts.pidFile) await writePidFile(opts.pidFile, pid);
  log.info({ rpcUrl, chainId, anvilPid: pid, stateFile: opts.stateFile }, 'anvil started');

  let stopping: Promise<void> | undefined;
  void exited.then(({ code, signal }) => {
    live.delete(child);
    disarmAnvilWatchdog(watchdog);
    if (!stopping) log.error({ code, signal, tail: tail.slice(-15) }, 'anvil exited unexpectedly');
  });

  const stop = async (): Promise<void> => {
    disarmAnvilWatchdog(watchdog);
    let clean = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopTimeoutMs = opts.stopTimeoutMs ?? 15_000;
      const done = await Promise.race([exited.then(() => true), sleep(stopTimeoutMs, false, { ref: false })]);
      if (!done) {
        clean = false;
        log.warn({ anvilPid: pid, stopTimeoutMs }, 'anvil did not exit after SIGTERM; killing it');
        child.kill('SIGKILL');
        await exited;
      }
    } else {
      clean = false;
    }
    live.delete(child);
    if (opts.pidFile) await removePidFile(opts.pidFile, pid);
    if (opts.stateFile && clean) await backupStateFile(opts.stateFile);
    log.info({ anvilPid: pid }, 'anvil stopped');
  };

  return {
    rpcUrl,
    chainId,
    pid,
    stop: () => (stopping ??= stop()),
  };
}

async function rpcChainId(rpcUrl: string): Promise<number> {
  let lastError: unknown;
  for (let i = 0; i < 10; i++) {
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { result?: string };
      if (typeof body.result === 'string') return Number(BigInt(body.result));
      lastError = new Error(`unexpected answer ${JSON.stringify(body)}`);
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  throw lastError;
}
