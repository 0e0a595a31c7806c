// Keeps web/dist current: at start the node runs scripts/build-web.mjs --if-stale in a child process
// (it answers at once when web/dist holds a build of the current sources), so a checkout whose web/
// changed since install serves the new dashboard without a separate build step. The API does not wait.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/build-web.mjs', import.meta.url));

export type WebBuildState =
  | { state: 'checking' }
  | { state: 'building' }
  | { state: 'ready'; built: boolean; ms?: number }
  | { state: 'failed'; error: string };

export interface WebBuild {
  readonly status: WebBuildState;
  /** Resolves once the build has finished (or failed). */
  readonly done: Promise<WebBuildState>;
  stop(): void;
}

export function startWebBuild(logger: Logger): WebBuild {
  let status: WebBuildState = { state: 'checking' };
  let child: ChildProcess | undefined;
  const done = new Promise<WebBuildState>((resolve) => {
    child = spawn(process.execPath, [BUILD_SCRIPT, '--if-stale', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    // The script prints nothing until it decides to build; a slow first answer means it is building.
    const slow = setTimeout(() => {
      if (status.state === 'checking') status = { state: 'building' };
    }, 300);
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', (e) => {
      clearTimeout(slow);
      status = { state: 'failed', error: e.message };
      resolve(status);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(slow);
      const last = out.trim().split('\n').pop() ?? '';
      let result: { built?: boolean; fresh?: boolean; ms?: number; error?: string } = {};
      try {
        result = JSON.parse(last) as typeof result;
      } catch {
        // no JSON: the script died
      }
      if (result.fresh) {
        status = { state: 'ready', built: result.built === true, ...(result.ms !== undefined ? { ms: result.ms } : {}) };
        if (result.built) logger.info({ ms: result.ms }, 'dashboard rebuilt from changed sources');
      } else {
        const error = result.error ?? (signal ? `build stopped by ${signal}` : `build exited ${code}: ${err.trim().split('\n')[0] ?? ''}`);
        status = { state: 'failed', error };
        if (!signal) logger.warn({ error }, 'the dashboard did not build; the API is unaffected (npm run build:web shows why)');
      }
      resolve(status);
    });
  });
  return {
    get status() {
      return status;
    },
    done,
    stop() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
