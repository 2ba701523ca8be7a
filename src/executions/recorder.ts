import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import type { ExecutionRecord, SparkCellCost } from '../core/executions.js';
import type { IdGenerator } from '../core/ids.js';
import type { KernelChannelInfo, KernelChannelTap, KernelControlSink, KernelMessage, KernelTap } from '../core/kernel-tap.js';
import type { Logger } from '../core/logger.js';
import type { RuntimeClient } from '../core/runtime-client.js';
import type { ProcessDoor, RuntimeRef } from '../core/process-door.js';
import type { Store } from '../core/store.js';
import type { RunningRuntime, RuntimeDirectory } from '../core/usage.js';
import { keptCode } from './code.js';
import { costOf, KernelBook, PendingReading, type Effect } from './kernel-book.js';
import { classify, FROM_KERNEL_TYPES } from './messages.js';
import type { NotebookLookup } from './notebooks.js';
import { ExecutionWriter } from './writer.js';

export interface RecorderOptions {
  store: Store;
  runtimes: RuntimeDirectory;
  /** Where kernels are read (the agent beside the runtime). */
  processes: ProcessDoor;
  notebooks: NotebookLookup;
  /** The runtime's REST API, to ask about a kernel no connection tells of any more. */
  runtimeApi: Pick<RuntimeClient, 'kernel'>;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  captureCode: boolean;
  maxCodeBytes: number;
  retentionDays: number;
  /** How long changes wait to be written together (ms). */
  flushMs?: number;
  /** How often running executions are checked against their runtime and kernel (ms). */
  checkEveryMs?: number;
  /**
   * A cell's peak memory from stored samples waits until the store holds a sample of its kernel from its end
   * on (looking every `pollMs`), at most `waitMs`: the samples of its last interval are still on their way.
   */
  samples?: { waitMs: number; pollMs: number };
  /** The cluster's share of a finished cell, for runtimes attached to a Spark cluster (absent: none are). */
  spark?: SparkCellCost | undefined;
}

interface KernelEntry {
  user: string;
  server: string;
  kernelId: string;
  /** The runtime as it was when the kernel's first connection opened (a restarted runtime has new kernels). */
  runtime: RunningRuntime | undefined;
  /** The runtime as the process door names it (null: not running then, nothing to read). */
  ref: RuntimeRef | null;
  book: KernelBook;
  /** A reading of the kernel now (through the agent). */
  read: () => PendingReading;
  channels: Set<number>;
  /** When the last connection closed (null while one is open). */
  orphanedAt: number | null;
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** With no connection left, running executions wait this long for one to come back before the runtime is asked. */
const ORPHAN_GRACE_MS = 30_000;

/** How long a summary waits for finished executions' end readings. */
const COST_WAIT_MS = 2000;

/** Executions shorter than this take their peak memory from their two readings only. */
const SAMPLE_PEAK_MIN_MS = 1000;

const keyOf = (user: string, server: string, kernelId: string) => `${user}\u0000${server}\u0000${kernelId}`;

/**
 * Execution history (issue 4): follows the kernel messages the proxy hands over (KernelTap), and the
 * interrupts, restarts and shutdowns asked over HTTP (KernelControlSink). Each kernel has one book (kernel-book.ts)
 * fed by all its connections; the books decide, this class reads the kernel's processes at the moments they
 * name, finds the notebook, and writes behind the traffic. Nothing here may throw into the proxy.
 */
export class ExecutionRecorder implements KernelTap, KernelControlSink {
  private readonly kernels = new Map<string, KernelEntry>();
  private readonly writer: ExecutionWriter;
  private readonly inFlight = new Set<Promise<void>>();
  /** Finished executions waiting for their cost (their end reading), by id. */
  private readonly costing = new Map<string, { record: ExecutionRecord; done: Promise<void> }>();
  private nextChannel = 0;
  private timers: NodeJS.Timeout[] = [];
  private lastPrune = 0;
  /** Aborted when the recorder closes: waits for stored samples end at once. */
  private readonly closing = new AbortController();

  constructor(private readonly o: RecorderOptions) {
    this.writer = new ExecutionWriter(o.store.executions, o.log, o.flushMs ?? 500);
  }

  /** Executions a previous run of the hub left running cannot be followed: they become `lost`. */
  async start(): Promise<void> {
    const lost = await this.o.store.executions.loseRunning();
    if (lost > 0) this.o.log.info({ lost }, 'executions: left running by the previous run of the hub, marked lost');
    const every = this.o.checkEveryMs ?? 10_000;
    this.timers.push(setInterval(() => void this.check(this.o.clock.now()), every).unref());
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.closing.abort();
    for (const e of this.kernels.values()) this.forget(e);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.writer.close();
  }

  /** Writes pending changes now (tests and benches; the hub writes every flushMs). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    await this.writer.flush();
  }

  open(info: KernelChannelInfo, _at: number): KernelChannelTap | null {
    const key = keyOf(info.user, info.server, info.kernelId);
    let entry = this.kernels.get(key);
    if (!entry) {
      const rt = this.runtimeOf(info.user, info.server);
      const ref = rt ? { user: rt.user, server: rt.server, rootPid: rt.rootPid } : null;
      const kernelId = info.kernelId;
      const door = this.o.processes;
      // Asked now, taken by the agent as soon as it can; the proxy does not wait for it.
      const read = (): PendingReading =>
        new PendingReading(ref === null ? undefined : door.readKernel(ref, kernelId).then((r) => r && { cpu: r.cpuSeconds, memory: r.memoryBytes, process: r.process }));
      entry = { user: info.user, server: info.server, kernelId, runtime: rt, ref, book: new KernelBook(read), read, channels: new Set(), orphanedAt: null };
      this.kernels.set(key, entry);
    }
    // A new connection often means a notebook joined this kernel: its sessions are asked again.
    this.o.notebooks.invalidate(info.user, info.server);
    const channel = ++this.nextChannel;
    entry.channels.add(channel);
    entry.orphanedAt = null;
    const e = entry;
    return {
      // Outputs, most of the traffic, are left to pass undecoded.
      fromKernel: FROM_KERNEL_TYPES,
      // Every kernel message passes here: no closure per message.
      message: (m, at) => {
        try {
          this.onMessage(e, channel, m, at);
        } catch (err) {
          this.failed(err);
        }
      },
      closed: (at) =>
        this.guard(() => {
          e.channels.delete(channel);
          if (e.channels.size === 0) e.orphanedAt = at;
          this.apply(e, e.book.channelClosed(channel));
        }),
    };
  }

  control(c: { user: string; server: string; kernelId: string; action: 'interrupt' | 'restart' | 'shutdown'; at: number }): void {
    this.guard(() => {
      const entry = this.kernels.get(keyOf(c.user, c.server, c.kernelId));
      if (!entry) return;
      if (c.action === 'interrupt') entry.book.interrupt();
      else this.apply(entry, entry.book.gone(c.at));
    });
  }

  /**
   * Where to send an interrupt for execution `id`: its kernel, if it is the one running there now. One still
   * queued behind another is `queued` (interrupting the kernel would stop the other); unknown: undefined.
   */
  interruptTarget(id: string): { user: string; server: string; kernelId: string } | 'queued' | undefined {
    for (const e of this.kernels.values()) {
      if (e.book.currentId() === id) return { user: e.user, server: e.server, kernelId: e.kernelId };
      if (e.book.running().some((x) => x.record.id === id)) return 'queued';
    }
    return undefined;
  }

  async inProgress(f: { user?: string | undefined; server?: string | undefined }): Promise<ExecutionRecord[]> {
    const wanted = (r: { user: string; server: string }) => (f.user === undefined || r.user === f.user) && (f.server === undefined || r.server === f.server);
    const running: Array<Promise<ExecutionRecord>> = [];
    for (const e of this.kernels.values()) {
      const exec = e.book.currentExec();
      if (!exec || !wanted(e) || exec.record.ended !== null) continue;
      running.push(
        (async () => {
          const now = e.read();
          await Promise.all([exec.startReading?.done, now.done]);
          const s = exec.startReading?.value;
          const v = now.value;
          const cpu = s && v && s.process === v.process ? Math.round(Math.max(0, v.cpu - s.cpu) * 1000) / 1000 : null;
          return { ...exec.record, cpuSeconds: cpu };
        })(),
      );
    }
    const finished = [...this.costing.values()].filter((c) => wanted(c.record));
    // An end reading is one agent call: it is waited for, a little.
    await Promise.race([Promise.all(finished.map((c) => c.done)), sleep(COST_WAIT_MS)]);
    // One version of each: the running one read now, then a finished one's, then what waits to be written.
    const out = new Map<string, ExecutionRecord>();
    for (const r of [...(await Promise.all(running)), ...finished.map((c) => ({ ...c.record })), ...this.writer.unwritten().filter(wanted).map((r) => ({ ...r }))]) {
      if (!out.has(r.id)) out.set(r.id, r);
    }
    return [...out.values()];
  }

  /** Kernels of this runtime with a request under way (sent, its end not seen): busy, whatever else says otherwise. */
  runningKernels(user: string, server: string): ReadonlySet<string> {
    const out = new Set<string>();
    for (const e of this.kernels.values()) if (e.user === user && e.server === server && e.book.size > 0) out.add(e.kernelId);
    return out;
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    this.o.log.error({ err }, 'executions: a kernel message could not be recorded');
  }

  private onMessage(e: KernelEntry, channel: number, m: KernelMessage, at: number): void {
    const ev = classify(m);
    if (!ev) return;
    switch (ev.kind) {
      case 'request': {
        if (ev.silent) {
          this.apply(e, e.book.request(this.newRecord(e, ev.msgId, ev.session, '', null, at), { silent: true, origin: channel }, at));
          return;
        }
        const record = this.newRecord(e, ev.msgId, ev.session, ev.code, ev.cellId, at);
        this.apply(e, e.book.request(record, { silent: false, origin: channel }, at));
        this.attribute(e, record);
        return;
      }
      case 'began':
        return this.apply(e, e.book.began(ev.parent, ev.count, at));
      case 'idle':
        return this.apply(e, e.book.idle(ev.parent, at));
      case 'raised':
        return e.book.raised(ev.parent, ev.ename);
      case 'reply':
        return this.apply(e, e.book.reply(ev.parent, ev.status, ev.ename, ev.count, at));
      case 'interrupt':
        return e.book.interrupt();
      case 'gone':
        return this.apply(e, e.book.gone(at));
    }
  }

  private newRecord(e: KernelEntry, msgId: string, session: string, code: string, cellId: string | null, at: number): ExecutionRecord {
    const kept = keptCode(code, { capture: this.o.captureCode, maxBytes: this.o.maxCodeBytes });
    const record: ExecutionRecord = {
      id: this.o.ids.random(12),
      user: e.user,
      server: e.server,
      kernelId: e.kernelId,
      notebook: null,
      attribution: 'pending',
      candidates: [],
      cellId,
      msgId,
      clientSession: session,
      executionCount: null,
      code: kept.code,
      codeSha256: '',
      codeBytes: kept.bytes,
      requested: at,
      started: at,
      ended: null,
      status: 'running',
      errorName: null,
      cpuSeconds: null,
      peakMemory: null,
      sparkCpuSeconds: null,
    };
    // Hashed when the writer copies the record behind the traffic, not on the kernel message's way.
    Object.defineProperty(record, 'codeSha256', { enumerable: true, get: kept.sha256 });
    return record;
  }

  private apply(e: KernelEntry, effects: Effect[]): void {
    for (const fx of effects) {
      const r = fx.exec.record;
      if (fx.type === 'save') {
        this.writer.put(r);
        continue;
      }
      // Finished: written with its cost, once both its readings are in (what was pending of it waits too).
      const exec = fx.exec;
      this.writer.hold(r.id);
      const done = costOf(exec);
      this.costing.set(r.id, { record: r, done });
      this.track(
        done.then(() => {
          this.costing.delete(r.id);
          this.writer.release(r.id);
          this.writer.put(r);
          // Peak memory also looks at the samples the sampler stored while it ran (a peak between the two readings).
          // Not for short executions: a sample seldom falls inside one, and a lookup per cell would cost a "run all".
          if (r.ended !== null && r.ended - r.started >= SAMPLE_PEAK_MIN_MS) this.track(this.peakFromSamples(e, r, r.ended));
          if (this.o.spark) this.track(this.sparkShare(this.o.spark, r));
        }),
      );
    }
  }

  /**
   * Raises a finished cell's peak memory to what the stored samples of its run say, once the samples up to
   * its end are stored (the sweep before its end may still be on its way to the store), or the wait is over.
   */
  private async peakFromSamples(e: KernelEntry, r: ExecutionRecord, ended: number): Promise<void> {
    const k = { user: e.user, server: e.server, kernelId: e.kernelId };
    const { waitMs, pollMs } = this.o.samples ?? { waitMs: 30_000, pollMs: 1000 };
    try {
      const { signal } = this.closing;
      for (let waited = 0; !signal.aborted && waited < waitMs; waited += pollMs) {
        if ((await this.o.store.executions.samplePeak(k, ended, ended + waitMs + 60_000)) !== null) break;
        await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      }
      const peak = await this.o.store.executions.samplePeak(k, r.started, ended);
      if (peak === null || peak <= (r.peakMemory ?? 0)) return;
      r.peakMemory = peak;
      this.writer.put(r);
    } catch (err) {
      this.o.log.debug({ err }, 'executions: stored samples not readable for peak memory');
    }
  }

  /**
   * Adds what the cell's Spark jobs cost on the cluster, once Spark says they are final (the spark cost waits,
   * bounded); written as a later version of the record, so nothing else waits for the cluster.
   */
  private async sparkShare(spark: SparkCellCost, r: ExecutionRecord): Promise<void> {
    try {
      const cpu = await spark.cpuSeconds({ user: r.user, server: r.server, msgId: r.msgId }, this.closing.signal);
      if (cpu === null) return;
      r.sparkCpuSeconds = cpu;
      this.writer.put(r);
    } catch (err) {
      this.o.log.debug({ err }, 'executions: Spark share not readable');
    }
  }

  private attribute(e: KernelEntry, r: ExecutionRecord): void {
    // Kept from open(): listing the running runtimes checks each one's process, too much for every cell.
    const rt = (e.runtime ??= this.runtimeOf(e.user, e.server));
    if (!rt) {
      r.attribution = 'none';
      return;
    }
    // Usually the runtime's sessions are already known: no promise per cell then. The record is written when
    // it is saved (now, or once the kernel takes it up), with its notebook.
    const known = this.o.notebooks.known?.(rt, e.kernelId, r.cellId);
    if (known) {
      r.notebook = known.notebook;
      r.attribution = known.attribution;
      r.candidates = known.candidates;
      return;
    }
    this.track(
      this.o.notebooks.resolve(rt, e.kernelId, r.cellId).then(
        (a) => {
          r.notebook = a.notebook;
          r.attribution = a.attribution;
          r.candidates = a.candidates;
          this.writer.put(r);
        },
        (err: unknown) => {
          this.o.log.debug({ err, user: e.user, server: e.server }, 'executions: sessions not readable; notebook unknown');
          r.attribution = 'none';
          this.writer.put(r);
        },
      ),
    );
  }

  /** The kernel is no longer followed: the agent may close the /proc files it keeps open for it. */
  private forget(e: KernelEntry): void {
    if (e.ref !== null) this.o.processes.forgetKernel(e.ref, e.kernelId);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private runtimeOf(user: string, server: string): RunningRuntime | undefined {
    return this.o.runtimes.running().find((r) => r.user === user && r.server === server);
  }

  /**
   * What no message will tell: a stopped runtime ends its kernels' executions as died; a kernel left without
   * connections is asked about (gone: died; idle: what ran ended unseen, lost). Also applies retention.
   */
  async check(now: number): Promise<void> {
    try {
      const running = new Map(this.o.runtimes.running().map((r) => [`${r.user}\u0000${r.server}`, r]));
      for (const [key, e] of this.kernels) {
        const rt = running.get(`${e.user}\u0000${e.server}`);
        if (!rt) this.apply(e, e.book.gone(now));
        else if (e.orphanedAt !== null && e.book.size > 0 && now - e.orphanedAt > ORPHAN_GRACE_MS) await this.askKernel(e, rt, now);
        if (e.channels.size === 0 && e.book.size === 0) {
          this.kernels.delete(key);
          this.forget(e);
        }
      }
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        await this.o.store.executions.prune(now - this.o.retentionDays * DAY_MS);
      }
    } catch (err) {
      this.o.log.error({ err }, 'executions: check failed');
    }
  }

  private async askKernel(e: KernelEntry, rt: RunningRuntime, now: number): Promise<void> {
    const kernel = await this.o.runtimeApi.kernel(rt, e.kernelId).catch(() => undefined);
    if (kernel === undefined || e.channels.size > 0) return;
    if (kernel === null) this.apply(e, e.book.gone(now));
    else if (kernel.executionState === 'idle') this.apply(e, e.book.gone(now, 'lost'));
  }
}
