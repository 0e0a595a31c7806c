// Thread body for wal-checkpointer.ts: a second connection that runs PASSIVE checkpoints on a timer.
import { workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new BetterSqlite3(path, { timeout: 1000 });
db.pragma('journal_mode = WAL');
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy or closing: try again next tick
  }
}, intervalMs);
