import { componentLabels, isClusterUsage, parseComponentKey } from '../core/cluster-usage.js';
import type { RuntimeSnapshot } from '../core/usage.js';
import { latestPerRuntime } from './runtime-families.js';
import type { Family, Sample } from './text-format.js';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What each Spark cluster consumes, from the latest sweep (the agent reports a cluster as the runtime
 * (CLUSTER_USAGE_USER, name), its components in the kernels' place: core/cluster-usage.ts). Only the
 * components the latest sweep saw are written, so an application's labels go when its executors do: the label
 * values are bounded by what runs now (and by the agent's cap of series per runtime), never by history.
 */
export const clusterFamilies = (snapshots: readonly RuntimeSnapshot[]): Family[] => {
  const cpu: Sample[] = [];
  const memory: Sample[] = [];
  const partCpu: Sample[] = [];
  const partMemory: Sample[] = [];
  for (const snap of latestPerRuntime(snapshots.filter((s) => isClusterUsage(s.user)))) {
    const cluster = snap.server;
    const parts: Array<{ labels: Record<string, string>; cpu: number; memory: number }> = [];
    for (const s of snap.samples) {
      if (s.kernel === null) {
        cpu.push({ labels: { cluster }, value: s.cpuSecondsTotal });
        memory.push({ labels: { cluster }, value: s.memoryBytes });
        continue;
      }
      const c = parseComponentKey(s.kernel);
      if (c) parts.push({ labels: { cluster, ...componentLabels(c) }, cpu: s.cpuSecondsTotal, memory: s.memoryBytes });
    }
    // A stable order; the keys are unique per snapshot, so no series is written twice.
    const order = (l: Record<string, string>) => `${l['component']}\u0000${l['application']}\u0000${l['user']}`;
    parts.sort((a, b) => byString(order(a.labels), order(b.labels)));
    for (const p of parts) {
      partCpu.push({ labels: p.labels, value: p.cpu });
      partMemory.push({ labels: p.labels, value: p.memory });
    }
  }
  return [
    { name: 'nbhub_cluster_cpu_seconds_total', type: 'counter', help: 'CPU time (user + system) consumed by all processes of a Spark cluster, in seconds.', samples: cpu },
    { name: 'nbhub_cluster_memory_bytes', type: 'gauge', help: 'Memory of all processes of a Spark cluster (PSS where readable, else RSS), in bytes.', samples: memory },
    {
      name: 'nbhub_cluster_component_cpu_seconds_total',
      type: 'counter',
      help: 'CPU time consumed by one part of a Spark cluster, in seconds: component master, worker-<n> (the worker process itself), executors (one application\'s, with their Python workers) or driver (a cluster-mode driver); application is the app id (a driver\'s submission id for a driver) and user its SPARK_USER. Running applications only.',
      samples: partCpu,
    },
    {
      name: 'nbhub_cluster_component_memory_bytes',
      type: 'gauge',
      help: 'Memory of one part of a Spark cluster (labels as nbhub_cluster_component_cpu_seconds_total), in bytes.',
      samples: partMemory,
    },
  ];
};
