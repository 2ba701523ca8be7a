// Processes started by a bench, and their clean-up.
//
// Every process a bench starts gets BENCH_RUN_MARK=<id> in its environment (not an NBHUB_ name: nbhub keeps
// its own NBHUB_* settings out of runtimes). Children inherit it (the
// hub's runtimes, their kernels, JupyterHub's proxy), so clean-up finds all of them by reading
// /proc/<pid>/environ and signals them by process id / process group id, never by name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_ID = `${process.pid}-${randomBytes(4).toString('hex')}`;
const MARK = `BENCH_RUN_MARK=${BENCH_ID}`;

let tmpRoot;
/** One temporary root per bench process; every data dir, log and config lives under it. */
export const tmpRootDir = () => (tmpRoot ??= mkdtempSync(join(tmpdir(), 'nbhub-bench-')));
export const tmpDir = (name) => {
  const d = join(tmpRootDir(), name);
  mkdirSync(d, { recursive: true });
  return d;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const benchEnv = (extra = {}) => ({ ...process.env, BENCH_RUN_MARK: BENCH_ID, ...extra });

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * Starts a process in a process group of its own, marked for clean-up, output to `log`.
 * Returns the ChildProcess with `.exited` (a promise of {code, signal}).
 */
export const spawnTracked = (command, args, { cwd, env = {}, log } = {}) => {
  const out = log ? openSync(log, 'a') : 'ignore';
  let child;
  try {
    child = spawn(command, args, { cwd, env: benchEnv(env), detached: true, stdio: ['ignore', out, out] });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (err) => console.error(`cannot run ${command}: ${err.message}`));
  return child;
};

const readStat = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return undefined;
  }
};

export const readEnviron = (pid) => {
  try {
    const env = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const i = kv.indexOf('=');
      if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return env;
  } catch {
    return undefined;
  }
};

export const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
};

/** Live processes carrying this bench's mark (optionally filtered on their environment). */
export const markedProcesses = (filter = () => true) => {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let raw;
    try {
      raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!raw.split('\0').includes(MARK)) continue;
    const st = readStat(pid);
    if (!st || st.state === 'Z') continue;
    const env = readEnviron(pid) ?? {};
    if (!filter(env, pid)) continue;
    out.push({ pid, ...st, env });
  }
  return out;
};

const signal = (p, sig) => {
  const ownPgid = readStat(process.pid)?.pgid;
  try {
    if (p.pgid > 1 && p.pgid !== ownPgid) process.kill(-p.pgid, sig);
    else process.kill(p.pid, sig);
  } catch {
    // gone already
  }
};

/** SIGTERM to every marked process group (matching `filter`), SIGKILL to what is left after `graceMs`. */
export const killMarked = async (filter, graceMs = 3000) => {
  let procs = markedProcesses(filter);
  if (procs.length === 0) return 0;
  const n = procs.length;
  for (const p of procs) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(50);
    procs = markedProcesses(filter);
    if (procs.length === 0) return n;
  }
  for (const p of procs) signal(p, 'SIGKILL');
  await sleep(100);
  return n;
};

const killMarkedSync = () => {
  for (const p of markedProcesses()) signal(p, 'SIGKILL');
};

const cleanupHooks = [];
/** Registers an async clean-up step run before the processes are killed (e.g. dropping a database the bench created). */
export const atCleanup = (fn) => cleanupHooks.push(fn);

let cleaned = false;
let cleaning;
/**
 * Kills everything this bench started and removes its temporary root (kept with BENCH_KEEP=1). A second
 * call (a signal during a failing bench's clean-up, or the other way round) waits for the first.
 */
export const cleanup = () => (cleaning ??= cleanupOnce().finally(() => (cleaned = true)));
const cleanupOnce = async () => {
  for (const fn of cleanupHooks.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      console.error(`clean-up step failed: ${err?.message ?? err}`);
    }
  }
  await killMarked(undefined, 3000);
  if (tmpRoot && existsSync(tmpRoot)) {
    if (process.env['BENCH_KEEP'] === '1') console.log(`(kept ${tmpRoot})`);
    else {
      // a process that just died may still have had a file open; try again briefly
      for (let i = 0; i < 5; i++) {
        try {
          rmSync(tmpRoot, { recursive: true, force: true });
          break;
        } catch {
          await sleep(200);
        }
      }
    }
  }
};

/** Runs a bench body with clean-up on success, error, Ctrl-C and SIGTERM. */
export const runBench = (body) => {
  const onSignal = (sig) => {
    console.error(`\n${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    if (!cleaned) killMarkedSync();
  });
  Promise.resolve()
    .then(body)
    .then(
      async () => {
        await cleanup();
        process.exit(0);
      },
      async (err) => {
        console.error('BENCH FAILED:', err?.stack ?? err);
        if (tmpRoot) process.env['BENCH_KEEP'] = process.env['BENCH_KEEP'] ?? '1';
        await cleanup();
        process.exit(1);
      },
    );
};

/** Resident set size of a process in MB, from /proc/<pid>/status (VmRSS and VmHWM). */
export const memoryOf = (pid) => {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMB: NaN, hwmMB: NaN };
  }
};

/** The last `lines` lines of a log file, for error messages. */
export const tail = (file, lines = 20) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};
