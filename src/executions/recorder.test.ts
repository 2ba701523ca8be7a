import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExecutionRecord, SparkCellCost } from '../core/executions.js';
import type { Store, UsageRow } from '../core/store.js';
import type { RunningRuntime } from '../core/usage.js';
import type { Attributed } from './attribution.js';
import { ExecutionRecorder } from './recorder.js';
import { executeInput, executeReply, executeRequest, iopubError, kernelMessage, status } from './testing.js';

const KERNEL = 'aaaaaaaa-1111-4111-8111-111111111111';
const silentLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A recorder over fakes: a kernel whose CPU counter the test moves, read through a process door that takes
 * each reading when asked and answers at once or, with `late`, only when the test lets it (`arrive`); a
 * clock; a store keeping what is written.
 */
const setup = (o: { capture?: boolean; maxCodeBytes?: number; attributed?: Attributed; known?: Attributed; samples?: UsageRow[]; late?: boolean; spark?: SparkCellCost } = {}) => {
  const kernel = { cpu: 100, memory: 1000, process: '42:1', alive: true };
  const answers: Array<() => void> = [];
  const rows = new Map<string, ExecutionRecord>();
  const store = {
    executions: {
      put: async (rs: readonly ExecutionRecord[]) => {
        for (const r of rs) rows.set(r.id, { ...r });
      },
      loseRunning: async () => 0,
      samplePeak: async (_k: unknown, from: number, to: number) => {
        const inside = (o.samples ?? []).filter((r) => r.t >= from && r.t <= to).map((r) => r.memory);
        return inside.length ? Math.max(...inside) : null;
      },
      prune: async () => 0,
    },
  } as unknown as Store;
  const runtimes: RunningRuntime[] = [];
  const forgotten: string[] = [];
  const runtime: RunningRuntime = { user: 'alice', server: '', profile: 'default', rootPid: 4242, target: 'http://127.0.0.1:9', baseUrl: '/user/alice/', token: 't' };
  runtimes.push(runtime);
  let n = 0;
  const recorder = new ExecutionRecorder({
    store,
    runtimes: { running: () => runtimes },
    processes: {
      readKernel: (rt, id) => {
        const r = rt.user === 'alice' && rt.server === '' && id === KERNEL && kernel.alive ? { cpuSeconds: kernel.cpu, memoryBytes: kernel.memory, process: kernel.process } : undefined;
        return o.late ? new Promise((resolve) => answers.push(() => resolve(r))) : Promise.resolve(r);
      },
      forgetKernel: (rt, id) => forgotten.push(`${rt.user}/${rt.server}:${id}`),
      processes: async () => [],
      signal: async () => 'no-such-runtime',
    },
    notebooks: {
      resolve: async () => o.attributed ?? { notebook: 'a.ipynb', attribution: 'session', candidates: [] },
      known: () => o.known,
      invalidate: () => undefined,
    },
    runtimeApi: { kernel: async () => null },
    clock: { now: () => 0 },
    ids: { random: () => `e${++n}` },
    log: silentLog,
    captureCode: o.capture ?? true,
    maxCodeBytes: o.maxCodeBytes ?? 1000,
    retentionDays: 90,
    flushMs: 1,
    samples: { waitMs: 200, pollMs: 5 },
    spark: o.spark,
  });
  const open = (sessionId = 'client-1') => recorder.open({ user: 'alice', server: '', kernelId: KERNEL, sessionId, actor: 'alice' }, 0) as NonNullable<ReturnType<ExecutionRecorder['open']>>;
  const stored = async () => {
    await recorder.flush();
    return [...rows.values()].sort((a, b) => a.requested - b.requested || a.id.localeCompare(b.id));
  };
  /** The store's rows as they are now, without waiting for anything under way. */
  const rowsNow = async () => {
    await sleep(20);
    return [...rows.values()];
  };
  /** The door answers the readings asked so far, in the order given (default: as asked). */
  const arrive = (order: (n: number) => number[] = (n) => [...Array(n).keys()]) => {
    const now = answers.splice(0);
    for (const i of order(now.length)) now[i]?.();
  };
  return { recorder, kernel, open, stored, rowsNow, arrive, runtimes, forgotten, samples: o.samples };
};

describe('execution recorder (synthetic kernel messages)', () => {
  it('records a cell from request to reply: count, times, CPU between the two readings, code and hash, notebook', async () => {
    const { kernel, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('m1', 'x = 1'), 1000);
    ch.message(status('m1', 'busy'), 1001);
    ch.message(executeInput('m1', 7), 1002);
    kernel.cpu += 2.5;
    kernel.memory = 5000;
    ch.message(executeReply('m1', 'ok', { count: 7 }), 3500);
    ch.message(status('m1', 'idle'), 3501);
    const [e] = await stored();
    expect(e).toMatchObject({
      user: 'alice',
      server: '',
      kernelId: KERNEL,
      notebook: 'a.ipynb',
      attribution: 'session',
      msgId: 'm1',
      executionCount: 7,
      code: 'x = 1',
      codeSha256: createHash('sha256').update('x = 1').digest('hex'),
      codeBytes: 5,
      requested: 1000,
      started: 1000,
      ended: 3500,
      status: 'ok',
      errorName: null,
      cpuSeconds: 2.5,
      peakMemory: 5000,
    });
  });

  it('tells the culler which kernels run a request, from the request to its end, silent ones included', async () => {
    const { recorder, open } = setup();
    const ch = open();
    expect([...recorder.runningKernels('alice', '')]).toEqual([]);
    ch.message(executeRequest('m1', 'import time; time.sleep(60)'), 1000);
    ch.message(status('m1', 'busy'), 1001);
    expect([...recorder.runningKernels('alice', '')]).toEqual([KERNEL]);
    expect([...recorder.runningKernels('alice', 'other')]).toEqual([]);
    ch.message(executeReply('m1', 'ok', { count: 1 }), 61_000);
    ch.message(status('m1', 'idle'), 61_001);
    expect([...recorder.runningKernels('alice', '')]).toEqual([]);
    ch.message(executeRequest('s1', 'x', { silent: true }), 62_000);
    expect([...recorder.runningKernels('alice', '')]).toEqual([KERNEL]);
  });

  it('tells a summary what the running cell used so far (read now), and a finished cell’s cost before it is written', async () => {
    const { recorder, kernel, open, arrive } = setup({ late: true });
    /** Answers every reading asked until `p` settles (the door here answers only when told). */
    const answered = async <T,>(p: Promise<T>): Promise<T> => {
      let done = false;
      void p.finally(() => (done = true));
      while (!done) {
        arrive();
        await sleep(2);
      }
      return p;
    };
    const ch = open();
    ch.message(executeRequest('m1', 'burn()'), 1000);
    ch.message(status('m1', 'busy'), 1001);
    arrive();
    kernel.cpu += 4;
    const running = await answered(recorder.inProgress({ user: 'alice' }));
    expect(running.map((r) => [r.msgId, r.ended, r.cpuSeconds])).toEqual([['m1', null, 4]]);
    expect(await recorder.inProgress({ user: 'bob' })).toEqual([]);
    kernel.cpu += 1;
    ch.message(executeReply('m1', 'ok', { count: 1 }), 6000);
    ch.message(status('m1', 'idle'), 6001);
    const finished = await answered(recorder.inProgress({ user: 'alice' }));
    expect(finished.map((r) => [r.msgId, r.ended, r.cpuSeconds])).toEqual([['m1', 6000, 5]]);
  });

  it('takes the notebook the runtime is already known to tell, without asking', async () => {
    const { open, stored } = setup({ known: { notebook: 'k.ipynb', attribution: 'session', candidates: [] }, attributed: { notebook: 'asked.ipynb', attribution: 'session', candidates: [] } });
    const ch = open();
    ch.message(executeRequest('m1', 'x = 1'), 1000);
    ch.message(executeReply('m1', 'ok'), 1100);
    expect((await stored())[0]).toMatchObject({ notebook: 'k.ipynb', attribution: 'session', status: 'ok' });
  });

  it('shows a running execution before it ends, then its error with the exception name', async () => {
    const { kernel, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('m1', '1/0'), 1000);
    expect((await stored())[0]).toMatchObject({ status: 'running', ended: null, cpuSeconds: null });
    ch.message(iopubError('m1', 'ZeroDivisionError'), 1100);
    kernel.cpu += 0.01;
    ch.message(executeReply('m1', 'error', { ename: 'ZeroDivisionError' }), 1200);
    expect((await stored())[0]).toMatchObject({ status: 'error', errorName: 'ZeroDivisionError', ended: 1200 });
  });

  it('gives queued cells the CPU from the end of the one before, and marks those aborted after an error', async () => {
    const { kernel, open, stored } = setup();
    const ch = open();
    for (const id of ['a', 'b', 'c']) ch.message(executeRequest(id, id), 1000);
    ch.message(status('a', 'busy'), 1001);
    kernel.cpu += 1;
    ch.message(executeReply('a', 'ok'), 2000);
    ch.message(status('a', 'idle'), 2001);
    ch.message(status('b', 'busy'), 2002);
    kernel.cpu += 3;
    ch.message(executeReply('b', 'error', { ename: 'ValueError' }), 5000);
    ch.message(status('b', 'idle'), 5001);
    ch.message(executeReply('c', 'aborted'), 5002);
    const [a, b, c] = await stored();
    expect([a?.status, a?.started, a?.ended, a?.cpuSeconds]).toEqual(['ok', 1000, 2000, 1]);
    expect([b?.status, b?.started, b?.ended, b?.cpuSeconds, b?.errorName]).toEqual(['error', 2000, 5000, 3, 'ValueError']);
    expect([c?.status, c?.started, c?.ended, c?.cpuSeconds]).toEqual(['aborted', 5000, 5002, 0]);
  });

  it('splits CPU between two connections (two notebooks on one kernel), whichever message says first that the kernel moved on', async () => {
    const { kernel, open, stored } = setup();
    const one = open('client-1');
    const two = open('client-2');
    one.message(executeRequest('a', 'a', { session: 'client-1' }), 1000);
    two.message(executeRequest('b', 'b', { session: 'client-2' }), 1010);
    for (const ch of [one, two]) ch.message(status('a', 'busy'), 1020); // iopub reaches every connection
    kernel.cpu += 2;
    // b's busy (iopub) overtakes a's reply (shell): a ended there.
    for (const ch of [two, one]) ch.message(status('b', 'busy'), 3000);
    kernel.cpu += 1;
    one.message(executeReply('a', 'ok'), 3005);
    two.message(executeReply('b', 'ok'), 4000);
    for (const ch of [one, two]) ch.message(status('b', 'idle'), 4001);
    const [a, b] = await stored();
    expect([a?.status, a?.ended, a?.cpuSeconds, a?.clientSession]).toEqual(['ok', 3000, 2, 'client-1']);
    expect([b?.status, b?.started, b?.ended, b?.cpuSeconds, b?.clientSession]).toEqual(['ok', 3000, 4000, 1, 'client-2']);
  });

  it('lets a later request begin before one thought next, with no CPU lost', async () => {
    const { kernel, open, stored } = setup();
    const one = open('client-1');
    const two = open('client-2');
    one.message(executeRequest('a', 'a'), 1000);
    one.message(executeRequest('b', 'b'), 1001);
    two.message(executeRequest('c', 'c'), 1002);
    kernel.cpu += 1;
    one.message(executeReply('a', 'ok'), 2000); // b is thought next…
    kernel.cpu += 0.5;
    two.message(status('c', 'busy'), 2100); // …but c began
    kernel.cpu += 1;
    two.message(executeReply('c', 'ok'), 3000);
    one.message(status('b', 'busy'), 3001);
    kernel.cpu += 2;
    one.message(executeReply('b', 'ok'), 5000);
    const byId = Object.fromEntries((await stored()).map((e) => [e.msgId, e]));
    expect([byId['a']?.cpuSeconds, byId['c']?.cpuSeconds, byId['b']?.cpuSeconds]).toEqual([1, 1.5, 2]);
    expect([byId['c']?.started, byId['b']?.started]).toEqual([2000, 3000]);
  });

  it('counts the same iopub message seen on two connections once', async () => {
    const { open, stored } = setup();
    const one = open('client-1');
    const two = open('client-2');
    one.message(executeRequest('a', 'a'), 1000);
    for (const ch of [one, two]) ch.message(executeInput('a', 3), 1001);
    one.message(executeReply('a', 'ok'), 1500);
    for (const ch of [one, two]) ch.message(status('a', 'idle'), 1501);
    const all = await stored();
    expect(all.map((e) => [e.executionCount, e.status])).toEqual([[3, 'ok']]);
  });

  it('ends a cell interrupted by request as interrupted, and the ones queued behind it as aborted', async () => {
    const { recorder, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('a', 'while True: pass'), 1000);
    ch.message(executeRequest('b', 'print(1)'), 1001);
    ch.message(status('a', 'busy'), 1002);
    recorder.control({ user: 'alice', server: '', kernelId: KERNEL, action: 'interrupt', at: 2000 });
    ch.message(executeReply('a', 'error', { ename: 'KeyboardInterrupt' }), 2010);
    ch.message(executeReply('b', 'aborted'), 2011);
    expect((await stored()).map((e) => e.status)).toEqual(['interrupted', 'aborted']);
  });

  it('ends running and queued cells as died when the kernel restarts, without CPU from the new process', async () => {
    const { kernel, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('a', 'import os; os._exit(1)'), 1000);
    ch.message(executeRequest('b', '1'), 1001);
    ch.message(status('a', 'busy'), 1002);
    kernel.process = '43:9';
    kernel.cpu = 0.2;
    ch.message(kernelMessage('from_kernel', 'iopub', 'status', { content: { execution_state: 'restarting' } }), 3000);
    const all = await stored();
    expect(all.map((e) => [e.status, e.ended, e.cpuSeconds])).toEqual([
      ['died', 3000, null],
      ['died', 3000, null],
    ]);
  });

  it('ends running cells as died once their runtime stopped', async () => {
    const { recorder, open, stored, runtimes } = setup();
    const ch = open();
    ch.message(executeRequest('a', 'x'), 1000);
    await recorder.check(5000);
    expect((await stored())[0]?.status).toBe('running');
    runtimes.length = 0;
    await recorder.check(6000);
    expect((await stored()).map((e) => [e.status, e.ended])).toEqual([['died', 6000]]);
  });

  it('lets the probe forget a kernel no connection follows any more, once nothing runs there', async () => {
    const { recorder, open, forgotten } = setup();
    const ch = open();
    ch.message(executeRequest('a', 'x'), 1000);
    ch.closed(1500);
    await recorder.check(2000);
    expect(forgotten).toEqual([]);
    ch.message(executeReply('a', 'ok'), 2100);
    await recorder.check(3000);
    expect(forgotten).toEqual([`alice/:${KERNEL}`]);
  });

  it("ends a cell as died when a restart's own interrupt ends it before the restart is reported", async () => {
    const { recorder, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('a', 'import time; time.sleep(60)'), 1000);
    ch.message(executeRequest('b', 'x'), 1001);
    ch.message(status('a', 'busy'), 1002);
    // jupyter_client interrupts the kernel (a signal, not a message we see), then restarts it, then answers.
    ch.message(executeReply('a', 'error', { ename: 'KeyboardInterrupt' }), 2000);
    ch.message(executeReply('b', 'aborted'), 2001);
    expect((await stored()).map((e) => e.status)).toEqual(['interrupted', 'aborted']);
    recorder.control({ user: 'alice', server: '', kernelId: KERNEL, action: 'restart', at: 4000 });
    expect((await stored()).map((e) => [e.status, e.ended])).toEqual([
      ['died', 2000],
      ['aborted', 2001],
    ]);
    // An interrupt someone asked for stays one, restart or not.
    ch.message(executeRequest('c', 'y'), 5000);
    recorder.control({ user: 'alice', server: '', kernelId: KERNEL, action: 'interrupt', at: 5100 });
    ch.message(executeReply('c', 'error', { ename: 'KeyboardInterrupt' }), 5200);
    recorder.control({ user: 'alice', server: '', kernelId: KERNEL, action: 'restart', at: 6000 });
    expect((await stored())[2]?.status).toBe('interrupted');
  });

  it('ends running cells as died on a restart or shutdown asked over HTTP', async () => {
    const { recorder, open, stored } = setup();
    open().message(executeRequest('a', 'x'), 1000);
    recorder.control({ user: 'alice', server: '', kernelId: KERNEL, action: 'restart', at: 1500 });
    expect((await stored()).map((e) => [e.status, e.ended])).toEqual([['died', 1500]]);
  });

  it('does not record silent requests, those outside the history, completion, inspection or comm traffic, yet silent ones hold the kernel', async () => {
    const { kernel, open, stored } = setup();
    const ch = open();
    ch.message(executeRequest('s', 'get_ipython()', { silent: true }), 1000);
    ch.message(kernelMessage('to_kernel', 'shell', 'execute_request', { msgId: 'h', content: { code: 'whos', silent: false, store_history: false } }), 1000);
    ch.message(kernelMessage('to_kernel', 'shell', 'complete_request', { msgId: 'cmp', content: { code: 'pri', cursor_pos: 3 } }), 1001);
    ch.message(kernelMessage('to_kernel', 'shell', 'inspect_request', { msgId: 'ins', content: { code: 'print', cursor_pos: 5 } }), 1002);
    ch.message(kernelMessage('to_kernel', 'shell', 'comm_msg', { msgId: 'cm', content: { comm_id: 'x', data: {} } }), 1003);
    ch.message(executeRequest('a', 'x'), 1004);
    kernel.cpu += 5;
    ch.message(executeReply('s', 'ok'), 1500);
    ch.message(executeReply('h', 'ok'), 2000);
    ch.message(status('a', 'busy'), 2001);
    kernel.cpu += 1;
    ch.message(executeReply('a', 'ok'), 3000);
    const all = await stored();
    expect(all.map((e) => [e.msgId, e.cpuSeconds])).toEqual([['a', 1]]);
  });

  it("tells an execution's end from iopub when the connection that sent it closed before the reply", async () => {
    const { open, stored } = setup();
    const one = open('client-1');
    const two = open('client-2');
    one.message(executeRequest('a', '1/0'), 1000);
    one.message(executeRequest('b', '1'), 1001);
    one.closed(1100);
    two.message(iopubError('a', 'ZeroDivisionError'), 1200);
    two.message(status('a', 'idle'), 1201);
    two.message(status('b', 'busy'), 1202);
    two.message(status('b', 'idle'), 1300);
    const all = await stored();
    expect(all.map((e) => [e.msgId, e.status, e.errorName, e.ended])).toEqual([
      ['a', 'error', 'ZeroDivisionError', 1201],
      ['b', 'ok', null, 1300],
    ]);
  });

  it('keeps only the hash when code capture is off, and cuts long code at the byte limit', async () => {
    const off = setup({ capture: false });
    off.open().message(executeRequest('a', 'secret = 1'), 1000);
    const [a] = await off.stored();
    expect([a?.code, a?.codeBytes, a?.codeSha256]).toEqual([null, 10, expect.stringMatching(/^[0-9a-f]{64}$/)]);
    const cut = setup({ maxCodeBytes: 4 });
    cut.open().message(executeRequest('b', 'ééé'), 1000); // 2 bytes each: cut after two characters
    const [b] = await cut.stored();
    expect([b?.code, b?.codeBytes]).toEqual(['éé', 6]);
    expect(b?.codeSha256).not.toBe(a?.codeSha256);
  });

  it('records what the notebook lookup tells, ambiguous included', async () => {
    const { open, stored } = setup({ attributed: { notebook: null, attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'] } });
    open().message(executeRequest('a', 'x', { cellId: 'c1' }), 1000);
    expect((await stored())[0]).toMatchObject({ notebook: null, attribution: 'ambiguous', candidates: ['a.ipynb', 'b.ipynb'], cellId: 'c1' });
  });

  it('takes peak memory from samples stored while the cell ran', async () => {
    const samples = [900, 2000, 3100].map((t, i) => ({ user: 'alice', server: '', kernel: KERNEL, t, cpuFrom: i, cpu: i, memory: [9e9, 7000, 8e9][i] as number }));
    const { open, stored } = setup({ samples });
    const ch = open();
    ch.message(executeRequest('a', 'x'), 1000);
    ch.message(executeReply('a', 'ok'), 3000);
    ch.message(executeRequest('b', 'y'), 3050);
    ch.message(executeReply('b', 'ok'), 3150); // too short to look (the 3.1 s sample would be inside)
    expect((await stored()).map((e) => e.peakMemory)).toEqual([7000, 1000]);
  });

  it('takes the peak of the samples covering the end of a cell once they are stored, not before', async () => {
    // The sweep at 2.9 s, inside the cell, reaches the store after the cell ended (a remote agent, a pull later).
    const at = (t: number, memory: number): UsageRow => ({ user: 'alice', server: '', kernel: KERNEL, t, cpuFrom: 0, cpu: 0, memory });
    const samples = [at(2000, 7000)];
    const { open, stored } = setup({ samples });
    const ch = open();
    ch.message(executeRequest('a', 'x'), 1000);
    ch.message(executeReply('a', 'ok'), 3000);
    setTimeout(() => samples.push(at(2900, 9000), at(3100, 8e9)), 30);
    expect((await stored())[0]?.peakMemory).toBe(9000);
  });

  it('never makes the proxy wait for a reading: the end and cost are written once both readings are in', async () => {
    const { kernel, open, stored, rowsNow, arrive } = setup({ late: true });
    const ch = open();
    ch.message(executeRequest('a', 'a'), 1000);
    ch.message(executeRequest('b', 'b'), 1001);
    ch.message(status('a', 'busy'), 1002);
    kernel.cpu += 1;
    ch.message(executeReply('a', 'ok'), 2000);
    ch.message(status('a', 'idle'), 2001);
    ch.message(status('b', 'busy'), 2002);
    kernel.cpu += 3;
    kernel.memory = 4000;
    ch.message(executeReply('b', 'ok'), 5000);
    // Three readings asked (a's start, a's end shared with b's start, b's end); none answered yet: no end is written.
    expect((await rowsNow()).filter((e) => e.ended !== null || e.status !== 'running')).toEqual([]);
    // The answers come in any order; each is the kernel as it was when asked.
    arrive((n) => [...Array(n).keys()].reverse());
    const [a, b] = await stored();
    expect([a?.status, a?.ended, a?.cpuSeconds, a?.peakMemory]).toEqual(['ok', 2000, 1, 1000]);
    expect([b?.status, b?.started, b?.ended, b?.cpuSeconds, b?.peakMemory]).toEqual(['ok', 2000, 5000, 3, 4000]);
  });

  it("adds the cell's Spark share once the cluster tells it, without holding the record for it", async () => {
    const asked: string[] = [];
    let tell: (cpu: number | null) => void = () => undefined;
    const spark: SparkCellCost = {
      cpuSeconds: (cell) => {
        asked.push(`${cell.user}/${cell.server}:${cell.msgId}`);
        return new Promise((resolve) => (tell = resolve));
      },
    };
    const { open, rowsNow, stored } = setup({ spark });
    const ch = open();
    ch.message(executeRequest('m1', 'df.count()'), 1000);
    ch.message(executeInput('m1', 1), 1001);
    ch.message(executeReply('m1', 'ok', { count: 1 }), 2000);
    await expect.poll(async () => (await rowsNow())[0]?.status).toBe('ok');
    expect((await rowsNow())[0]?.sparkCpuSeconds).toBeNull();
    expect(asked).toEqual(['alice/:m1']);
    tell(4.5);
    expect((await stored())[0]).toMatchObject({ status: 'ok', sparkCpuSeconds: 4.5 });
  });

  it('leaves the cost unknown when the door finds no kernel, and still ends the cell', async () => {
    const { kernel, open, stored } = setup();
    kernel.alive = false;
    const ch = open();
    ch.message(executeRequest('a', 'x'), 1000);
    ch.message(executeReply('a', 'ok'), 1100);
    expect((await stored()).map((e) => [e.status, e.cpuSeconds, e.peakMemory])).toEqual([['ok', null, null]]);
  });
});
