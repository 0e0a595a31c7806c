// Runs Mosquitto from Debian's package (apt-get install mosquitto) with a generated config: one MQTT 5
// listener on a loopback port, anonymous clients (loopback only), persistence in the given dir.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OdmError } from '../../core/errors.ts';
import { freePort } from '../../core/ports.ts';
import { guardChild, type Guard } from './child-guard.ts';
import { acceptsTcp, findDebianBinary, requireBinary, spawnLogged, stopChild, tailFile, waitChildReady } from './debian-server.ts';

export const MOSQUITTO_APT = 'apt-get install mosquitto';
const READY_TIMEOUT_MS = 15_000;

export interface MosquittoProcess {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port and persistence dir. */
  restart(): Promise<void>;
}

export interface MosquittoProcessOptions {
  /** Holds mosquitto.conf, the log and the persistence file; the caller owns (and removes) it. */
  dir: string;
  port?: number;
  binary?: string;
}

/** `mosquitto` on PATH, else Debian's /usr/sbin/mosquitto; undefined when neither exists. */
export function findMosquitto(pathEnv = process.env.PATH ?? ''): string | undefined {
  return findDebianBinary('mosquitto', pathEnv);
}

export function mosquittoConfig(port: number, dir: string): string {
  return [
    `listener ${port} 127.0.0.1`,
    'protocol mqtt',
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    // As root Mosquitto would switch to the `mosquitto` user, who cannot write the caller's temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    // Shared subscriptions hand each ingest process QoS 1 messages; a larger window keeps them busy.
    'max_inflight_messages 200',
    'max_queued_messages 100000',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export async function startMosquittoProcess(opts: MosquittoProcessOptions): Promise<MosquittoProcess> {
  const binary = opts.binary ?? requireBinary(findMosquitto(), 'mosquitto', MOSQUITTO_APT);
  const port = opts.port ?? (await freePort());
  const confPath = join(opts.dir, 'mosquitto.conf');
  writeFileSync(confPath, mosquittoConfig(port, opts.dir));
  let child: ChildProcess | undefined;
  let guard: Guard | undefined;
  let starts = 0;

  const start = async () => {
    const logPath = join(opts.dir, `mosquitto-${++starts}.log`);
    const c = spawnLogged(binary, ['-c', confPath], logPath, { detached: true }); // own group: see node-process.ts
    child = c;
    guard = guardChild(c);
    await waitChildReady(c, READY_TIMEOUT_MS, () => acceptsTcp(port), () =>
      new OdmError('ODM_ERR_MQTT_UNAVAILABLE', `mosquitto did not start on port ${port}:\n${tailFile(logPath)}`));
  };

  const halt = async () => {
    const c = child;
    child = undefined;
    if (!c) return;
    await stopChild(c, [['SIGTERM', 10_000]]);
    guard?.release();
  };

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir: opts.dir,
    stop: halt,
    restart: async () => {
      await halt();
      await start();
    },
  };
}
