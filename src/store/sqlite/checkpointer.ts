import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the WAL is copied back into the database file. */
const EVERY_MS = 1000;

// CommonJS (an eval'd worker): its own connection, checkpointing without waiting for anyone (PASSIVE).
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.once('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

/**
 * Checkpoints a WAL database from a worker thread. SQLite otherwise checkpoints in the commit that passes
 * 1,000 pages, in the committing thread: with better-sqlite3 that is the hub's event loop, which a sweep's
 * commit held for 20-60 ms copying pages and syncing the file. The hub's connection turns automatic
 * checkpoints off (`wal_autocheckpoint = 0`) and this does them instead. Returns how to stop it (a last
 * checkpoint first).
 */
export const startCheckpointer = (file: string): (() => Promise<void>) => {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { driver, file, everyMs: EVERY_MS } });
  worker.unref();
  // A checkpoint that cannot run leaves the WAL to grow until the next one: nothing to report to anyone.
  worker.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return async () => {
    // Held while it stops: a process with nothing else to do would otherwise exit before its last checkpoint.
    worker.ref();
    worker.postMessage('stop');
    await exited;
  };
};
