/**
 * Runs jobs one at a time per key (one server), in order. Reconcile passes are coalesced: a pass asked
 * for while one is already queued and not yet started is the same pass.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly queuedPass = new Map<string, Promise<void>>();

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  pass(key: string, job: () => Promise<void>): Promise<void> {
    const queued = this.queuedPass.get(key);
    if (queued) return queued;
    const p = this.run(key, async () => {
      this.queuedPass.delete(key);
      await job();
    });
    this.queuedPass.set(key, p);
    return p;
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
