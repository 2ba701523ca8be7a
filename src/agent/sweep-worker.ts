import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../core/clock.js';
import { cgroupUsageReader } from './cgroup-usage.js';
import { procfsReader } from './proc-reader.js';
import { SweepCore, type Continuation, type SweepRequest } from './sweep.js';

export type WorkerCall = { id: number; sweep: SweepRequest } | { id: number; continue: { items: Continuation[]; forget: string[] } };

/** The worker thread of WorkerSweeper: keeps the sampler's state and answers one call per message. */
const options = workerData as { pss: boolean; cgroupRoot?: string };
const core = new SweepCore(procfsReader, systemClock, { pss: options.pss, ...(options.cgroupRoot ? { cgroups: cgroupUsageReader(options.cgroupRoot) } : {}) });
parentPort?.on('message', (msg: WorkerCall) => {
  try {
    const result = 'sweep' in msg ? core.sweep(msg.sweep) : core.continue(msg.continue.items, msg.continue.forget);
    parentPort?.postMessage({ id: msg.id, result });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
  }
});
