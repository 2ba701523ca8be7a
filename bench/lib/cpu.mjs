// Background CPU: how much of the machine was used by processes this bench did not start, during a
// measurement. On a shared 2-core box (another engineer's tests, a linter) that is the noise to report.
import { readFileSync } from 'node:fs';
import { markedProcesses, sleep } from './proc.mjs';

const TICK = 100; // USER_HZ on Linux

const machineBusy = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
};

const procTicks = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // utime + stime; for this process also its reaped children's (wrk, the nbhub CLI)
    return Number(rest[11]) + Number(rest[12]) + (pid === process.pid ? Number(rest[13]) + Number(rest[14]) : 0);
  } catch {
    return 0;
  }
};

const oursTicks = (pids) => {
  let t = 0;
  for (const pid of pids) t += procTicks(pid);
  return t;
};

/** Starts a CPU account; `.stop()` returns { bgCores, oursCores, seconds } over the interval. */
export const cpuAccount = () => {
  const pids = [process.pid, ...markedProcesses().map((p) => p.pid)];
  const m0 = machineBusy();
  const o0 = oursTicks(pids);
  const t0 = Date.now();
  return {
    stop: () => {
      const m1 = machineBusy();
      // Processes that started during the interval are included in the machine's busy time only;
      // the benches start nothing during a measured phase.
      const o1 = oursTicks(pids);
      const seconds = (Date.now() - t0) / 1000;
      const busy = (m1.busy - m0.busy) / TICK / seconds;
      const ours = (o1 - o0) / TICK / seconds;
      return { bgCores: Math.max(0, busy - ours), oursCores: ours, seconds };
    },
  };
};

/**
 * Waits (up to maxWaitMs) until foreign processes use less than `threshold` cores over a 500 ms window,
 * so a measurement does not start in the middle of someone else's build. Returns the last reading.
 */
export const waitQuiet = async ({ threshold = 0.3, maxWaitMs = Number(process.env['BENCH_QUIET_WAIT_MS'] ?? 15_000) } = {}) => {
  const deadline = Date.now() + maxWaitMs;
  let bg = NaN;
  for (;;) {
    const acc = cpuAccount();
    await sleep(500);
    bg = acc.stop().bgCores;
    if (bg < threshold || Date.now() > deadline) return bg;
  }
};

/** CPU seconds (user + system) a process has used so far. */
export const cpuSecondsOf = (pid) => procTicks(pid) / TICK;

/**
 * Runs `fn` and returns its result with `cpu`: {bgCores, oursCores} during it, and with `pidCpu`: the CPU
 * seconds each of `pids` used during it.
 */
export const withCpu = async (fn, pids = []) => {
  const acc = cpuAccount();
  const before = pids.map(cpuSecondsOf);
  const result = await fn();
  const pidCpu = pids.map((p, i) => cpuSecondsOf(p) - before[i]);
  return { ...result, cpu: acc.stop(), pidCpu };
};
