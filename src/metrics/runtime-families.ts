import { isClusterUsage } from '../core/cluster-usage.js';
import type { RuntimeSnapshot, UsageSample } from '../core/usage.js';
import type { Family, Sample } from './text-format.js';
import type { RuntimeInfo } from './types.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const key = (user: string, server: string): string => `${user}\u0000${server}`;

/** Every notebook of a kernel, sorted, joined with ",": a kernel shared by several notebooks lists them all. */
export const notebookLabel = (paths: readonly string[] | undefined): string =>
  [...new Set(paths ?? [])].sort(byString).join(',');

/**
 * One snapshot per runtime (the newest, should a caller pass two), sorted by user then server, so that
 * no series is written twice (Prometheus rejects a scrape with duplicates) and the output is stable.
 */
export const latestPerRuntime = (snapshots: readonly RuntimeSnapshot[]): RuntimeSnapshot[] => {
  const newest = new Map<string, RuntimeSnapshot>();
  for (const s of snapshots) {
    const k = key(s.user, s.server);
    const seen = newest.get(k);
    if (!seen || s.t >= seen.t) newest.set(k, s);
  }
  return [...newest.values()].sort((a, b) => byString(a.user, b.user) || byString(a.server, b.server));
};

/** The runtime-wide sample (kernel null) and the newest sample of each kernel, kernels sorted by id. */
const split = (snap: RuntimeSnapshot): { whole: UsageSample | undefined; kernels: UsageSample[] } => {
  let whole: UsageSample | undefined;
  const kernels = new Map<string, UsageSample>();
  for (const s of snap.samples) {
    if (s.kernel === null) {
      if (!whole || s.t >= whole.t) whole = s;
    } else {
      const seen = kernels.get(s.kernel);
      if (!seen || s.t >= seen.t) kernels.set(s.kernel, s);
    }
  }
  return { whole, kernels: [...kernels.values()].sort((a, b) => byString(a.kernel ?? '', b.kernel ?? '')) };
};

/** Runtimes holding compute: a limit of a stopped or failed runtime is not worth a series. */
const HOLDS_COMPUTE = new Set(['pending', 'running', 'stopping']);

export const runtimeFamilies = (snapshots: readonly RuntimeSnapshot[], runtimes: readonly RuntimeInfo[]): Family[] => {
  const cpu: Sample[] = [];
  const memory: Sample[] = [];
  const processes: Sample[] = [];
  const kernelCpu: Sample[] = [];
  const kernelMemory: Sample[] = [];
  const kernelProcesses: Sample[] = [];
  const sampled = new Set<string>();

  // A Spark cluster's sweep is no user's runtime: its families are cluster-families.ts's.
  for (const snap of latestPerRuntime(snapshots.filter((s) => !isClusterUsage(s.user)))) {
    sampled.add(key(snap.user, snap.server));
    const runtime = { user: snap.user, server: snap.server };
    const { whole, kernels } = split(snap);
    if (whole) {
      cpu.push({ labels: runtime, value: whole.cpuSecondsTotal });
      memory.push({ labels: runtime, value: whole.memoryBytes });
    }
    processes.push({ labels: runtime, value: snap.processes.length });
    for (const k of kernels) {
      const id = k.kernel ?? '';
      const labels = { ...runtime, kernel: id, notebook: notebookLabel(snap.notebooks[id]) };
      kernelCpu.push({ labels, value: k.cpuSecondsTotal });
      kernelMemory.push({ labels, value: k.memoryBytes });
      kernelProcesses.push({ labels, value: snap.processes.filter((p) => p.kernelId === id).length });
    }
  }

  const limits: Sample[] = [...runtimes]
    .filter((r) => r.memoryLimitBytes !== null && (HOLDS_COMPUTE.has(r.state) || sampled.has(key(r.user, r.server))))
    .sort((a, b) => byString(a.user, b.user) || byString(a.server, b.server))
    .filter((r, i, all) => i === 0 || key(r.user, r.server) !== key(all[i - 1]!.user, all[i - 1]!.server))
    .map((r) => ({ labels: { user: r.user, server: r.server }, value: r.memoryLimitBytes ?? 0 }));

  return [
    { name: 'nbhub_runtime_cpu_seconds_total', type: 'counter', help: 'CPU time (user + system) consumed by all processes of a runtime, in seconds.', samples: cpu },
    { name: 'nbhub_runtime_memory_bytes', type: 'gauge', help: 'Memory of all processes of a runtime (PSS where readable, else RSS), in bytes.', samples: memory },
    { name: 'nbhub_runtime_memory_limit_bytes', type: 'gauge', help: 'Memory limit of a runtime, in bytes; absent when it has none.', samples: limits },
    { name: 'nbhub_runtime_processes', type: 'gauge', help: 'Processes running in a runtime, kernels and their children included.', samples: processes },
    { name: 'nbhub_kernel_cpu_seconds_total', type: 'counter', help: 'CPU time (user + system) consumed by a kernel and the processes it started, in seconds. notebook lists every notebook of the kernel, comma-separated.', samples: kernelCpu },
    { name: 'nbhub_kernel_memory_bytes', type: 'gauge', help: 'Memory of a kernel and the processes it started (PSS where readable, else RSS), in bytes.', samples: kernelMemory },
    { name: 'nbhub_kernel_processes', type: 'gauge', help: 'Processes in the process tree of a kernel, the kernel included.', samples: kernelProcesses },
  ];
};
