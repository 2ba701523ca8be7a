import { Worker } from 'node:worker_threads';
import type { SweepRequest, SweepResult, Sweeper } from './sweep.js';

interface Pending {
  resolve(r: SweepResult): void;
  reject(e: Error): void;
}

/**
 * Sweeps in a worker thread, so reading /proc for a thousand runtimes does not hold up the hub's event
 * loop (which also proxies). A worker that dies is started again on the next sweep; its sampler starts
 * over, and the agent hands it the counters to continue.
 */
export class WorkerSweeper implements Sweeper {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(private readonly options: { pss: boolean }) {}

  sweep(req: SweepRequest): Promise<SweepResult> {
    const w = this.ensure();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./sweep-worker.js', import.meta.url), { workerData: this.options });
    w.unref();
    w.on('message', (msg: { id: number; result?: SweepResult; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.result) p?.resolve(msg.result);
      else p?.reject(new Error(msg.error ?? 'sweep failed'));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`sweep worker exited with ${code}`)));
    this.worker = w;
    return w;
  }
}
