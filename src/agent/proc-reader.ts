import { allProcesses, readCgroup, readCmdline, readEnviron, readPss, startedAtMs, type ProcStat } from '../procfs/proc.js';

/** What the sampler reads of the machine; tests pass a fake process table. */
export interface ProcReader {
  all(): ProcStat[];
  cmdline(pid: number): string[] | undefined;
  pss(pid: number): number | undefined;
  /** The environment the process was started with (NUL-separated), for the runtime marker (absent: no markers read). */
  environ?(pid: number): string | undefined;
  /** Its /proc/<pid>/cgroup (absent: pods are found by marker only). */
  cgroup?(pid: number): string | undefined;
  /** When a process started, Unix ms. */
  startedAt(st: ProcStat): number;
}

export const procfsReader: ProcReader = { all: allProcesses, cmdline: readCmdline, pss: readPss, environ: readEnviron, cgroup: readCgroup, startedAt: (st) => startedAtMs(st.startTime) };
