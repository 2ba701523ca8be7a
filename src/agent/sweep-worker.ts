import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { procfsReader } from './proc-reader.js';
import { SweepCore, type SweepRequest } from './sweep.js';

/** The worker thread of WorkerSweeper: keeps the sampler's state and answers one sweep per message. */
const core = new SweepCore(procfsReader, systemClock, workerData as { pss: boolean });
parentPort?.on('message', (msg: { id: number; req: SweepRequest }) => {
  try {
    parentPort?.postMessage({ id: msg.id, result: core.sweep(msg.req) });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
