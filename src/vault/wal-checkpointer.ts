// SQLite only: moves WAL pages into the database file from a worker thread. By default the connection
// that commits runs a checkpoint whenever the WAL passes 1000 pages, which copies and fsyncs on the
// event loop several times a second under sustained ingest. Here a second connection on its own thread
// runs PASSIVE checkpoints (they never block the writer), and the writing connection's automatic
// checkpoint is raised to a backstop that only matters if this thread stops.
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Logger } from '../core/logger.ts';

/** Pages (4 KiB) the WAL may hold before the writer checkpoints itself anyway (~256 MiB). */
export const BACKSTOP_PAGES = 65_536;

export interface WalCheckpointer {
  stop(): Promise<void>;
}

export function startWalCheckpointer(raw: BetterSqlite3.Database, options: { intervalMs?: number; logger: Logger }): WalCheckpointer | undefined {
  if (raw.memory || raw.name === '' || raw.pragma('journal_mode', { simple: true }) !== 'wal') return undefined;
  const worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), { workerData: { path: raw.name, intervalMs: options.intervalMs ?? 500 } });
  worker.unref();
  let stopped = false;
  worker.on('error', (err) => options.logger.warn({ err }, 'WAL checkpoint thread failed; the writer checkpoints itself'));
  worker.on('exit', () => {
    if (!stopped && raw.open) raw.pragma('wal_autocheckpoint = 1000');
  });
  raw.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    async stop() {
      stopped = true;
      // The store may already be closed (it restores nothing then: the setting lives with the connection).
      if (raw.open) raw.pragma('wal_autocheckpoint = 1000');
      await worker.terminate();
    },
  };
}
