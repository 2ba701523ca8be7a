import { Worker } from 'node:worker_threads';
import type { Continuation, Continued, SweepRequest, SweepResult, Sweeper } from './sweep.js';
import type { WorkerCall } from './sweep-worker.js';

interface Pending {
  resolve(r: unknown): void;
  reject(e: Error): void;
}

/**
 * Sweeps in a worker thread, so reading /proc for a thousand runtimes does not hold up the hub's event
 * loop (which also proxies). A worker that dies is started again on the next sweep; its sampler starts
 * over, and the agent continues every series from its last logged counter.
 */
export class WorkerSweeper implements Sweeper {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  /** `cgroupRoot`: where pods' cgroups are read (node mode), e.g. /sys/fs/cgroup. */
  constructor(private readonly options: { pss: boolean; cgroupRoot?: string }) {}

  sweep(req: SweepRequest): Promise<SweepResult> {
    return this.call((id) => ({ id, sweep: req })) as Promise<SweepResult>;
  }

  continue(items: readonly Continuation[], forget: readonly string[]): Promise<Continued[]> {
    return this.call((id) => ({ id, continue: { items: [...items], forget: [...forget] } })) as Promise<Continued[]>;
  }

  private call(message: (id: number) => WorkerCall): Promise<unknown> {
    const w = this.ensure();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage(message(id));
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
    w.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error === undefined) p?.resolve(msg.result);
      else p?.reject(new Error(msg.error));
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
