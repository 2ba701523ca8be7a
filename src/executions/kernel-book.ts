import type { ExecutionRecord, ExecutionStatus } from '../core/executions.js';

/** The kernel's process tree at one moment; `process` tells a restarted kernel (a new process) apart. */
export interface Reading {
  cpu: number;
  memory: number;
  process: string;
}

/**
 * A reading asked for at one moment, whose value may come later (the agent is asked off the proxy's data
 * path). One pending reading can close one execution and open the next: both then share it.
 */
export class PendingReading {
  value: Reading | undefined = undefined;
  readonly done: Promise<void>;

  constructor(value: Promise<Reading | undefined> | Reading | undefined) {
    if (!(value instanceof Promise)) {
      this.value = value;
      this.done = Promise.resolve();
      return;
    }
    this.done = value.then(
      (v) => {
        this.value = v;
      },
      // No reading: the cost stays unknown.
      () => undefined,
    );
  }
}

/** One execution as the book follows it. `record` is what gets stored; the rest is how it is being followed. */
export interface Exec {
  record: ExecutionRecord;
  /** Silent requests occupy the kernel like any other, so they are followed, but never stored. */
  silent: boolean;
  /** The connection it was sent on: only that one receives its execute_reply. */
  origin: number;
  startReading: PendingReading | undefined;
  endReading: PendingReading | undefined;
  /** Current only by inference (the previous one ended and it was next in line), not yet seen beginning. */
  tentative: boolean;
  /** Waiting in line behind the current one (so "run all" costs no search of the line per message). */
  queued: boolean;
  reply: { status: 'ok' | 'error' | 'aborted'; ename: string | null } | undefined;
  raised: string | null;
  idleSeen: boolean;
  interruptAsked: boolean;
}

export type Effect = { type: 'save'; exec: Exec } | { type: 'finish'; exec: Exec };

/**
 * A restart or shutdown asked over HTTP is reported once the runtime has done it, and the runtime first
 * interrupts the kernel (jupyter_client), so the running cell's KeyboardInterrupt arrives before the news
 * of the restart. A cell ended so, without anyone asking for an interrupt, this shortly before is a casualty
 * of the restart: it died.
 */
const RESTART_REPORT_MS = 15_000;

/**
 * The executions of one kernel, from its messages on every connection (DESIGN.md idea 6). A kernel runs one
 * request at a time, in the order it receives them, so the moment one ends is the moment the next begins:
 * both share one reading of the kernel's CPU counter, and each execution gets exactly the CPU used between
 * its two readings. The book only decides; `read` asks for the reading (which may arrive later), and the
 * caller stores the effects, a finished execution once both its readings are in (see `costOf`).
 *
 * Replies come on the shell channel of the sender's connection, while busy/idle come on iopub to every
 * connection, and the two are not ordered with each other: whichever says first that the kernel moved on
 * closes the interval (the reply, the idle, or the next request beginning). The same iopub message seen on
 * two connections changes nothing the second time.
 */
export class KernelBook {
  private readonly tracked = new Map<string, Exec>();
  private queue: Exec[] = [];
  private current: Exec | undefined;
  private readonly closedChannels = new Set<number>();
  /** Cells that ended on a KeyboardInterrupt nobody asked for (see RESTART_REPORT_MS). */
  private unaskedInterrupts: Exec[] = [];

  constructor(private readonly read: () => PendingReading) {}

  get size(): number {
    return this.tracked.size;
  }

  running(): Exec[] {
    return [...this.tracked.values()].filter((e) => !e.silent);
  }

  /** The execution the kernel is running now (as far as its messages tell), if it is one of ours. */
  currentId(): string | undefined {
    return this.current?.record.id;
  }

  /** That execution, while it is one to store (not silent). */
  currentExec(): Exec | undefined {
    return this.current && !this.current.silent ? this.current : undefined;
  }

  request(record: ExecutionRecord, o: { silent: boolean; origin: number }, at: number): Effect[] {
    const exec: Exec = {
      record,
      silent: o.silent,
      origin: o.origin,
      startReading: undefined,
      endReading: undefined,
      tentative: true,
      queued: false,
      reply: undefined,
      raised: null,
      idleSeen: false,
      interruptAsked: false,
    };
    this.tracked.set(record.msgId, exec);
    if (this.current !== undefined) {
      // Stored once the kernel takes it up: a long "run all" is not written twice per cell.
      exec.queued = true;
      this.queue.push(exec);
      return [];
    }
    this.promote(exec, this.read(), at);
    return this.saved(exec);
  }

  began(parent: string, count: number | null, at: number): Effect[] {
    const exec = this.tracked.get(parent);
    if (!exec) return [];
    const out: Effect[] = [];
    if (count !== null && exec.record.executionCount !== count) {
      exec.record.executionCount = count;
      out.push(...this.saved(exec));
    }
    if (exec === this.current) {
      exec.tentative = false;
      return out;
    }
    if (exec.record.ended !== null) return out;
    const cur = this.current;
    if (cur?.tentative) {
      // The one thought next did not begin: this one did, from the same moment; the other waits again.
      this.unqueue(exec);
      cur.queued = true;
      this.queue.unshift(cur);
      this.current = undefined;
      this.promote(exec, cur.startReading, cur.record.started);
    } else {
      const r = this.read();
      if (cur) out.push(...this.endRun(cur, r, at));
      this.unqueue(exec);
      this.promote(exec, r, at);
    }
    exec.tentative = false;
    out.push(...this.saved(exec));
    return out;
  }

  idle(parent: string, at: number): Effect[] {
    const exec = this.tracked.get(parent);
    if (!exec || exec.idleSeen) return [];
    exec.idleSeen = true;
    return [...this.close(exec, at), ...this.settle(exec)];
  }

  raised(parent: string, ename: string): void {
    const exec = this.tracked.get(parent);
    if (exec) exec.raised = ename;
  }

  reply(parent: string, status: 'ok' | 'error' | 'aborted', ename: string | null, count: number | null, at: number): Effect[] {
    const exec = this.tracked.get(parent);
    if (!exec || exec.reply) return [];
    exec.reply = { status, ename };
    if (count !== null && exec.record.executionCount === null) exec.record.executionCount = count;
    return [...this.close(exec, at), ...this.settle(exec)];
  }

  /** An interrupt was asked: what is running now ends as interrupted if the kernel raises for it. */
  interrupt(): void {
    if (this.current) this.current.interruptAsked = true;
    // An interrupt reported after its KeyboardInterrupt came back (HTTP reports follow the runtime's answer).
    this.unaskedInterrupts = [];
  }

  /**
   * The kernel restarted, died, was shut down, or its runtime stopped (`died`); or it went idle while no
   * connection could tell how what was followed ended (`lost`: end and cost unknown). Everything followed ends so.
   */
  gone(at: number, status: 'died' | 'lost' = 'died'): Effect[] {
    const r = status === 'died' ? this.read() : undefined;
    const out: Effect[] = [];
    for (const exec of this.unaskedInterrupts) {
      if (status !== 'died' || exec.record.ended === null || at - exec.record.ended > RESTART_REPORT_MS) continue;
      exec.record.status = 'died';
      if (!exec.silent) out.push({ type: 'finish', exec });
    }
    this.unaskedInterrupts = [];
    for (const exec of [...this.tracked.values()]) {
      if (status === 'lost') {
        exec.endReading = undefined;
        exec.record.ended = null;
      } else if (exec.record.ended === null) {
        exec.endReading = r;
        exec.record.ended = at;
      }
      out.push(...this.finish(exec, status, null));
    }
    this.tracked.clear();
    this.queue = [];
    this.current = undefined;
    return out;
  }

  /** A connection closed: the replies it would have carried will not come; iopub (on others) may still tell the end. */
  channelClosed(channel: number): Effect[] {
    this.closedChannels.add(channel);
    const out: Effect[] = [];
    for (const exec of [...this.tracked.values()]) if (exec.origin === channel) out.push(...this.settle(exec));
    return out;
  }

  /** True while some connection could still bring news of an execution (its sender's, or iopub on any). */
  hasLiveOrigin(): boolean {
    return [...this.tracked.values()].some((e) => !this.closedChannels.has(e.origin));
  }

  private promote(exec: Exec, r: PendingReading | undefined, at: number): void {
    exec.startReading = r;
    exec.record.started = at;
    exec.tentative = true;
    this.current = exec;
  }

  /** The kernel is done with `exec` (its reply or idle came): it must have begun, and now it ends. */
  private close(exec: Exec, at: number): Effect[] {
    if (exec.record.ended !== null) return [];
    return [...this.began(exec.record.msgId, null, at), ...this.endRun(exec, this.read(), at)];
  }

  /** Closes the interval of `exec` with reading `r`, and the next in line begins (tentatively) from there. */
  private endRun(exec: Exec, r: PendingReading | undefined, at: number): Effect[] {
    exec.endReading = r;
    exec.record.ended = at;
    if (this.current === exec) {
      this.current = undefined;
      const next = this.queue.shift();
      if (next) {
        next.queued = false;
        this.promote(next, r, at);
        return this.saved(next);
      }
    }
    return [];
  }

  /** Ends the record once its outcome is known: the reply, or the idle once its sender's connection is gone. */
  private settle(exec: Exec): Effect[] {
    if (!this.tracked.has(exec.record.msgId) || exec.record.ended === null) return [];
    if (exec.reply) {
      const { status, ename } = exec.reply;
      const interrupted = status === 'error' && (ename === 'KeyboardInterrupt' || exec.interruptAsked);
      if (interrupted && !exec.interruptAsked) this.unaskedInterrupts = [...this.unaskedInterrupts.slice(-9), exec];
      return this.finish(exec, interrupted ? 'interrupted' : status, ename);
    }
    if (exec.idleSeen && this.closedChannels.has(exec.origin)) {
      const interrupted = exec.raised === 'KeyboardInterrupt' || (exec.raised !== null && exec.interruptAsked);
      return this.finish(exec, interrupted ? 'interrupted' : exec.raised !== null ? 'error' : 'ok', exec.raised);
    }
    return [];
  }

  private finish(exec: Exec, status: ExecutionStatus, ename: string | null): Effect[] {
    this.tracked.delete(exec.record.msgId);
    this.unqueue(exec);
    if (this.current === exec) this.current = undefined;
    exec.record.status = status;
    exec.record.errorName = ename;
    return exec.silent ? [] : [{ type: 'finish', exec }];
  }

  private unqueue(exec: Exec): void {
    if (!exec.queued) return;
    exec.queued = false;
    // Usually the head of the line; anything else is a rare reordering between connections.
    if (this.queue[0] === exec) this.queue.shift();
    else this.queue = this.queue.filter((e) => e !== exec);
  }

  private saved(exec: Exec): Effect[] {
    return exec.silent ? [] : [{ type: 'save', exec }];
  }
}

/**
 * A finished execution's CPU and peak memory, from its two readings once both are in (pure, once they are).
 * A different process at the end is a restarted kernel: its counter says nothing about this execution.
 */
export const costOf = async (exec: Exec): Promise<void> => {
  await Promise.all([exec.startReading?.done, exec.endReading?.done]);
  const s = exec.startReading?.value;
  const e = exec.endReading?.value;
  const r = exec.record;
  // Whole milliseconds: the counter itself moves in clock ticks (10 ms), the rest is float noise.
  r.cpuSeconds = s && e && s.process === e.process ? Math.round(Math.max(0, e.cpu - s.cpu) * 1000) / 1000 : null;
  r.peakMemory = r.status === 'lost' || !s ? null : Math.max(s.memory, e && s.process === e.process ? e.memory : 0);
};
